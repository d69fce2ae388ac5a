using System.Xml.Linq;
using DataExchange.Core.Common;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace DataExchange.Server.Hosting;

/// <summary>
/// The Data Protection key ring (console cookies, anti-forgery tokens) in dx.data_protection_keys,
/// shared by every node, so a session or form from one API node is honoured by the next (issue 13,
/// item 16: no sticky sessions). Each key is sealed by <see cref="KeyRingCipher"/> before it is stored.
/// Data Protection's repository interface is synchronous, hence synchronous SQL: it reads the ring at
/// start and about once a day, and writes when it makes a key (every 90 days by default).
/// </summary>
public sealed class DatabaseKeyRing(NpgsqlDataSource dataSource, TimeProvider time) : IXmlRepository
{
    /// <inheritdoc />
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var cmd = dataSource.CreateCommand("select xml from dx.data_protection_keys order by id");
        using var reader = cmd.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read()) elements.Add(XElement.Parse(reader.GetString(0)));
        return elements;
    }

    /// <inheritdoc />
    public void StoreElement(XElement element, string friendlyName)
    {
        const string sql = "insert into dx.data_protection_keys (friendly_name, xml, created_at) values ($1, $2, $3)";
        using var cmd = Db.Command(dataSource, sql, friendlyName, element.ToString(SaveOptions.DisableFormatting), time.GetUtcNow());
        cmd.ExecuteNonQuery();
    }
}

/// <summary>Data Protection for every node: the shared, sealed key ring and one application name.</summary>
public static class KeyRingSetup
{
    /// <summary>Data Protection isolates applications by name; by default that is the content root, which may differ per node.</summary>
    public const string ApplicationName = "DataExchange";

    // Arbitrary, fixed: "DX" + "KEYS".
    const long LockKey = 0x44_58_4B_45_59_53;

    /// <summary>Data Protection over <see cref="DatabaseKeyRing"/>, sealed by <see cref="KeyRingCipher"/>, under one application name.</summary>
    public static IServiceCollection AddExchangeDataProtection(this IServiceCollection services)
    {
        services.AddSingleton<DatabaseKeyRing>().AddSingleton<KeyRingCipher>();
        services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddOptions<KeyManagementOptions>().Configure<DatabaseKeyRing, KeyRingCipher>((o, ring, cipher) =>
        {
            o.XmlRepository = ring;
            o.XmlEncryptor = cipher;
        });
        return services;
    }

    /// <summary>
    /// Loads the ring, making its first key when the database has none, under an advisory lock: nodes
    /// starting together on an empty table would otherwise each make a key of their own and reject
    /// each other's cookies until their next refresh of the ring (a day later).
    /// </summary>
    public static async Task PrepareKeyRingAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var conn = await services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync(cancellationToken);
        await using (var take = Db.Command(conn, "select pg_advisory_lock($1)", LockKey)) await take.ExecuteNonQueryAsync(cancellationToken);
        try
        {
            await services.GetRequiredService<KeyRingCipher>().LoadAsync(cancellationToken);
            services.GetRequiredService<IDataProtectionProvider>().CreateProtector("dataexchange key ring start").Protect([]);
        }
        finally
        {
            await using var release = Db.Command(conn, "select pg_advisory_unlock($1)", LockKey);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }
}
