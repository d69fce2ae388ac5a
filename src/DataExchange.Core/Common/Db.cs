using Npgsql;

namespace DataExchange.Core.Common;

/// <summary>Small helpers over Npgsql that keep call sites to one line; SQL stays beside its caller.</summary>
public static class Db
{
    /// <summary>A command on <paramref name="connection"/> with positional parameters $1, $2….</summary>
    public static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object?[] args)
    {
        var cmd = new NpgsqlCommand(sql, connection);
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a ?? DBNull.Value });
        return cmd;
    }

    /// <summary>A command on a pooled connection of <paramref name="dataSource"/>.</summary>
    public static NpgsqlCommand Command(NpgsqlDataSource dataSource, string sql, params object?[] args)
    {
        var cmd = dataSource.CreateCommand(sql);
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a ?? DBNull.Value });
        return cmd;
    }

    /// <summary>Reads a nullable column.</summary>
    public static T? Get<T>(this NpgsqlDataReader reader, int ordinal) where T : class =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<T>(ordinal);

    /// <summary>Reads a nullable value-type column.</summary>
    public static T? GetNullable<T>(this NpgsqlDataReader reader, int ordinal) where T : struct =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<T>(ordinal);
}
