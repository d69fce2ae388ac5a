using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataExchange.Core.Catalogue;

/// <summary>An RDF term: an IRI, a blank node (<c>_:</c> label) or a literal with an optional datatype IRI.</summary>
public sealed record RdfTerm(string Value, RdfKind Kind, string? Datatype = null)
{
    public static RdfTerm Iri(string iri) => new(iri, RdfKind.Iri);
    public static RdfTerm Blank(string label) => new(label, RdfKind.Blank);
    public static RdfTerm Text(string text) => new(text, RdfKind.Literal);
    public static RdfTerm Typed(string text, string datatype) => new(text, RdfKind.Literal, datatype);
    public static RdfTerm DateTime(DateTimeOffset at) => Typed(at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), Rdf.Xsd + "dateTime");
}

/// <summary>What an <see cref="RdfTerm"/> is.</summary>
public enum RdfKind { Iri, Blank, Literal }

/// <summary>
/// A small RDF graph with the two serialisations the catalogue offers: Turtle and JSON-LD (flattened,
/// one node object per subject, prefixes in the context). Enough for DCAT; no parsing.
/// </summary>
public sealed class Rdf
{
    public const string Xsd = "http://www.w3.org/2001/XMLSchema#", RdfNs = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    const string Type = RdfNs + "type";

    /// <summary>The prefixes written (and used to shorten predicates and classes).</summary>
    public static IReadOnlyDictionary<string, string> Prefixes { get; } = new Dictionary<string, string>
    {
        ["dcat"] = "http://www.w3.org/ns/dcat#", ["dct"] = "http://purl.org/dc/terms/", ["foaf"] = "http://xmlns.com/foaf/0.1/",
        ["vcard"] = "http://www.w3.org/2006/vcard/ns#", ["skos"] = "http://www.w3.org/2004/02/skos/core#", ["xsd"] = Xsd, ["rdf"] = RdfNs,
        ["rdfs"] = "http://www.w3.org/2000/01/rdf-schema#", ["hydra"] = "http://www.w3.org/ns/hydra/core#",
    };

    readonly List<(RdfTerm Subject, string Predicate, RdfTerm Object)> _triples = [];
    readonly HashSet<(RdfTerm, string, RdfTerm)> _seen = [];
    int _blank;

    /// <summary>A new blank node.</summary>
    public RdfTerm NewBlank() => RdfTerm.Blank("b" + ++_blank);

    /// <summary>Adds a triple; the predicate as a prefixed name (<c>dct:title</c>) or a full IRI. Duplicates are kept once.</summary>
    public Rdf Add(RdfTerm subject, string predicate, RdfTerm obj)
    {
        var triple = (subject, Expand(predicate), obj);
        if (_seen.Add(triple)) _triples.Add(triple);
        return this;
    }

    /// <summary>Adds <c>subject a class</c>.</summary>
    public Rdf Is(RdfTerm subject, string @class) => Add(subject, Type, RdfTerm.Iri(Expand(@class)));

    /// <summary>The number of triples.</summary>
    public int Count => _triples.Count;

    static string Expand(string name)
    {
        var colon = name.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && Prefixes.TryGetValue(name[..colon], out var ns) && !name.Contains("//", StringComparison.Ordinal) ? ns + name[(colon + 1)..] : name;
    }

    static string Shorten(string iri)
    {
        foreach (var (prefix, ns) in Prefixes)
            if (iri.StartsWith(ns, StringComparison.Ordinal) && iri.Length > ns.Length && iri[ns.Length..].All(c => char.IsLetterOrDigit(c) || c is '_' or '-'))
                return prefix + ":" + iri[ns.Length..];
        return "<" + iri + ">";
    }

    /// <summary>Turtle (RDF 1.1), subjects in the order they were first used.</summary>
    public string ToTurtle()
    {
        var text = new StringBuilder();
        foreach (var (prefix, ns) in Prefixes) text.Append("@prefix ").Append(prefix).Append(": <").Append(ns).Append("> .\n");
        foreach (var group in _triples.GroupBy(t => t.Subject))
        {
            text.Append('\n').Append(Term(group.Key, subject: true));
            var predicates = group.GroupBy(t => t.Predicate).ToList();
            for (var i = 0; i < predicates.Count; i++)
            {
                var p = predicates[i].Key;
                text.Append(i == 0 ? " " : " ;\n    ").Append(p == Type ? "a" : Shorten(p)).Append(' ');
                text.AppendJoin(", ", predicates[i].Select(t => Term(t.Object, subject: false)));
            }
            text.Append(" .\n");
        }
        return text.ToString();
    }

    static string Term(RdfTerm term, bool subject) => term.Kind switch
    {
        RdfKind.Iri => subject ? "<" + term.Value + ">" : Shorten(term.Value),
        RdfKind.Blank => "_:" + term.Value,
        _ => "\"" + Escape(term.Value) + "\"" + (term.Datatype is null ? "" : "^^" + Shorten(term.Datatype)),
    };

    static string Escape(string s)
    {
        var text = new StringBuilder(s.Length);
        foreach (var c in s)
            text.Append(c switch { '\\' => "\\\\", '"' => "\\\"", '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", _ => c.ToString() });
        return text.ToString();
    }

    /// <summary>JSON-LD 1.1, flattened: <c>{"@context": prefixes, "@graph": [node objects]}</c>.</summary>
    public JsonObject ToJsonLd()
    {
        var graph = new JsonArray();
        foreach (var group in _triples.GroupBy(t => t.Subject))
        {
            var node = new JsonObject { ["@id"] = Id(group.Key) };
            foreach (var predicate in group.GroupBy(t => t.Predicate))
            {
                if (predicate.Key == Type)
                {
                    node["@type"] = new JsonArray([.. predicate.Select(t => (JsonNode?)JsonValue.Create(Shorten(t.Object.Value).Trim('<', '>')))]);
                    continue;
                }
                node[Shorten(predicate.Key).Trim('<', '>')] = new JsonArray([.. predicate.Select(t => (JsonNode?)Value(t.Object))]);
            }
            graph.Add(node);
        }
        return new JsonObject
        {
            ["@context"] = new JsonObject([.. Prefixes.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))]),
            ["@graph"] = graph,
        };
    }

    static string Id(RdfTerm term) => term.Kind == RdfKind.Blank ? "_:" + term.Value : term.Value;

    static JsonObject Value(RdfTerm term) => term.Kind switch
    {
        RdfKind.Literal when term.Datatype is null => new JsonObject { ["@value"] = term.Value },
        RdfKind.Literal => new JsonObject { ["@value"] = term.Value, ["@type"] = term.Datatype },
        _ => new JsonObject { ["@id"] = Id(term) },
    };

    /// <summary>The JSON-LD text, UTF-8 as the API writes it.</summary>
    public string ToJsonLdText() => ToJsonLd().ToJsonString(new JsonSerializerOptions { Encoder = Common.MinimalJsonEncoder.Instance });
}
