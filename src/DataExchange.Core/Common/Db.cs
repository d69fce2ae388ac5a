using Npgsql;

namespace DataExchange.Core.Common;

/// <summary>Small helpers over Npgsql that keep call sites to one line; SQL stays beside its caller.</summary>
public static class Db
{
    /// <summary>
    /// A command on <paramref name="connection"/> with positional parameters $1, $2…; an argument that may be
    /// null passes its type with it (<see cref="Typed{T}"/>, <see cref="Jsonb"/>), since a bare null has none.
    /// </summary>
    public static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object?[] args)
    {
        var cmd = new NpgsqlCommand(sql, connection);
        foreach (var a in args) cmd.Parameters.Add(Parameter(a));
        return cmd;
    }

    /// <summary>A command on a pooled connection of <paramref name="dataSource"/>.</summary>
    public static NpgsqlCommand Command(NpgsqlDataSource dataSource, string sql, params object?[] args)
    {
        var cmd = dataSource.CreateCommand(sql);
        foreach (var a in args) cmd.Parameters.Add(Parameter(a));
        return cmd;
    }

    /// <summary>A parameter whose PostgreSQL type comes from <typeparamref name="T"/>, null or not (string → text, DateTimeOffset? → timestamptz).</summary>
    public static NpgsqlParameter<T> Typed<T>(T value) => new() { TypedValue = value };

    /// <summary>A jsonb parameter from JSON text (or null).</summary>
    public static NpgsqlParameter<string?> Jsonb(string? json) => new() { TypedValue = json, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Jsonb };

    /// <summary>A jsonb[] parameter from JSON texts.</summary>
    public static NpgsqlParameter<string[]> JsonbArray(string[] json) =>
        new() { TypedValue = json, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Jsonb };

    static NpgsqlParameter Parameter(object? value) => value as NpgsqlParameter ?? new NpgsqlParameter { Value = value ?? DBNull.Value };

    /// <summary>Reads a nullable column.</summary>
    public static T? Get<T>(this NpgsqlDataReader reader, int ordinal) where T : class =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<T>(ordinal);

    /// <summary>Reads a nullable value-type column.</summary>
    public static T? GetNullable<T>(this NpgsqlDataReader reader, int ordinal) where T : struct =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<T>(ordinal);
}
