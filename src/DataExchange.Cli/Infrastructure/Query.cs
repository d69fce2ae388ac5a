using System.Globalization;
using System.Text;

namespace DataExchange.Cli.Infrastructure;

/// <summary>Builds "path?a=1&amp;b=2", skipping unset values so the server applies its defaults.</summary>
public sealed class Query(string path)
{
    readonly StringBuilder _query = new();

    public Query Add(string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            _query.Append(_query.Length == 0 ? '?' : '&')
                .Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }

        return this;
    }

    public Query Add(string name, int? value) =>
        Add(name, value?.ToString(CultureInfo.InvariantCulture));

    public override string ToString() => path + _query;
}
