namespace DataExchange.Core.Datasets.Schemas;

/// <summary>
/// The annotations unevaluatedProperties and unevaluatedItems read: which members and items of one value the
/// subschemas that passed have evaluated. Only made where a schema has an unevaluated* keyword.
/// </summary>
internal sealed class Evaluated
{
    HashSet<string>? _members;
    HashSet<int>? _contained;

    /// <summary>How many leading items prefixItems (or draft-07 tuple items) evaluated.</summary>
    int _prefix;

    /// <summary>Whether items, additionalItems or unevaluatedItems evaluated every item after the prefix.</summary>
    bool _allItems;

    public void Member(string name) => (_members ??= new(StringComparer.Ordinal)).Add(name);

    public bool HasMember(string name) => _members?.Contains(name) == true;

    public void Prefix(int count) => _prefix = Math.Max(_prefix, count);

    public void AllItems() => _allItems = true;

    public void Contained(int index) => (_contained ??= []).Add(index);

    public bool HasItem(int index) => _allItems || index < _prefix || _contained?.Contains(index) == true;

    public void Merge(Evaluated other)
    {
        if (other._members is { } m) (_members ??= new(StringComparer.Ordinal)).UnionWith(m);
        if (other._contained is { } c) (_contained ??= []).UnionWith(c);
        _prefix = Math.Max(_prefix, other._prefix);
        _allItems |= other._allItems;
    }
}
