using System.Text;

namespace Fleetman.TestSelection;

/// <summary>What an expression says of a test whose properties are only partly known: true, false, or either.</summary>
public enum Truth
{
    False,
    Unknown,
    True,
}

/// <summary>The four comparisons of a `dotnet test --filter` condition.</summary>
public enum Operation
{
    /// <summary><c>=</c>: some value of the property equals the text.</summary>
    Equal,

    /// <summary><c>!=</c>: no value of the property equals the text.</summary>
    NotEqual,

    /// <summary><c>~</c>: some value of the property contains the text.</summary>
    Contains,

    /// <summary><c>!~</c>: no value of the property contains the text.</summary>
    NotContains,
}

/// <summary>
/// What is known, before any test runs, of one property of one test: its values (none: the test has no such property),
/// or only the text its one value starts with (a theory's display name, which goes on with its arguments), or nothing.
/// </summary>
public sealed class PropertyValue
{
    private PropertyValue(IReadOnlyList<string>? values, string? prefix, bool known)
    {
        Values = values;
        Prefix = prefix;
        IsKnown = known;
    }

    /// <summary>Nothing is known of it: any comparison may go either way.</summary>
    public static PropertyValue Unknown { get; } = new(null, null, known: false);

    /// <summary>The test has no such property (a trait it does not carry).</summary>
    public static PropertyValue Absent { get; } = new([], null, known: true);

    /// <summary>The values, when known exactly.</summary>
    public IReadOnlyList<string>? Values { get; }

    /// <summary>The text the one value starts with, when only that is known.</summary>
    public string? Prefix { get; }

    /// <summary>False when nothing is known of the value.</summary>
    public bool IsKnown { get; }

    public static PropertyValue Exactly(params IReadOnlyList<string> values) => new(values, null, known: true);

    public static PropertyValue StartingWith(string prefix) => new(null, prefix, known: true);

    public override string ToString() =>
        !IsKnown ? "(unknown)" : Prefix is not null ? Prefix + "…" : string.Join(", ", Values!);
}

/// <summary>One <c>property operator value</c> condition of a filter.</summary>
public sealed record FilterCondition(string Property, Operation Operation, string Value)
{
    /// <summary>
    /// The condition on a property as VSTest evaluates it (Condition.Evaluate in the test platform): names and values
    /// compared ignoring case; <c>=</c> and <c>~</c> true when some value matches, <c>!=</c> and <c>!~</c> when none does
    /// (so true for a test without the property).
    /// </summary>
    public Truth Evaluate(PropertyValue property)
    {
        var positive = Operation is Operation.Equal or Operation.NotEqual
            ? Matches(property, (value, text) => string.Equals(value, text, StringComparison.OrdinalIgnoreCase), EqualsStartingWith)
            : Matches(property, (value, text) => value.Contains(text, StringComparison.OrdinalIgnoreCase), ContainsStartingWith);
        return Operation is Operation.NotEqual or Operation.NotContains ? TruthOf.Not(positive) : positive;
    }

    private Truth Matches(PropertyValue property, Func<string, string, bool> match, Func<string, Truth> matchPrefix)
    {
        if (!property.IsKnown)
        {
            return Truth.Unknown;
        }

        if (property.Prefix is { } prefix)
        {
            return matchPrefix(prefix);
        }

        return property.Values!.Any(value => match(value, Value)) ? Truth.True : Truth.False;
    }

    // A value that starts with the prefix equals the text only if the text starts with it too; whether it does is
    // known only from the rest.
    private Truth EqualsStartingWith(string prefix) =>
        Value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? Truth.Unknown : Truth.False;

    // A value that starts with the prefix contains whatever the prefix contains; anything else it may or may not.
    private Truth ContainsStartingWith(string prefix) =>
        prefix.Contains(Value, StringComparison.OrdinalIgnoreCase) ? Truth.True : Truth.Unknown;

    public override string ToString() => Property + Operation switch
    {
        Operation.Equal => "=",
        Operation.NotEqual => "!=",
        Operation.Contains => "~",
        _ => "!~",
    } + Value;
}

/// <summary>Kleene's three-valued logic: unknown stays unknown unless the other side decides.</summary>
public static class TruthOf
{
    public static Truth Not(Truth value) => value switch
    {
        Truth.True => Truth.False,
        Truth.False => Truth.True,
        _ => Truth.Unknown,
    };

    public static Truth And(Truth left, Truth right) => left < right ? left : right;

    public static Truth Or(Truth left, Truth right) => left > right ? left : right;
}

/// <summary>
/// A <c>dotnet test --filter</c> expression (the VSTest test-case filter), read by the grammar of the test platform's
/// own parser (FilterExpression and Condition in Microsoft.TestPlatform.Common): conditions <c>Property=value</c>,
/// <c>!=</c>, <c>~</c>, <c>!~</c>, or a bare value meaning <c>FullyQualifiedName~value</c>; joined by <c>&amp;</c>
/// (binding tighter) and <c>|</c>, grouped with parentheses; <c>\</c> escapes any of <c>\()&amp;|=!~</c> in a value.
/// What that parser rejects is rejected here too (<see cref="FormatException"/>), so that nothing is read differently.
/// </summary>
public sealed class TestFilter
{
    private const char Escape = '\\';
    private const string Special = "\\()&|=!~";

    private readonly Node root;

    private TestFilter(Node root, IReadOnlyList<FilterCondition> conditions)
    {
        this.root = root;
        Conditions = conditions;
    }

    /// <summary>Every condition of the expression, in the order written.</summary>
    public IReadOnlyList<FilterCondition> Conditions { get; }

    /// <summary>Reads an expression; a <see cref="FormatException"/> names what is wrong with it.</summary>
    public static TestFilter Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (System.Text.RegularExpressions.Regex.IsMatch(text, @"\(\s*\)"))
        {
            throw new FormatException($"Empty parentheses in the filter '{text}'.");
        }

        // Two stacks, operands and operators, as the test platform's parser: '&' binds tighter than '|', operators of
        // equal precedence associate to the left.
        var operands = new Stack<Node>();
        var operators = new Stack<char>();
        var conditions = new List<FilterCondition>();
        foreach (var raw in Tokens(text, "()&|", pairs: false))
        {
            var token = raw.Trim();
            switch (token)
            {
                case "":
                    continue;
                case "&" or "|":
                    while (operators.Count > 0 && operators.Peek() != '(' && Precedence(operators.Peek()) >= Precedence(token[0]))
                    {
                        Reduce(operands, operators.Pop());
                    }

                    operators.Push(token[0]);
                    break;
                case "(":
                    operators.Push('(');
                    break;
                case ")":
                    while (true)
                    {
                        if (operators.Count == 0)
                        {
                            throw new FormatException($"Missing '(' in the filter '{text}'.");
                        }

                        var op = operators.Pop();
                        if (op == '(')
                        {
                            break;
                        }

                        Reduce(operands, op);
                    }

                    break;
                default:
                    var condition = ParseCondition(token);
                    conditions.Add(condition);
                    operands.Push(new Node.Leaf(condition));
                    break;
            }
        }

        while (operators.Count > 0)
        {
            var op = operators.Pop();
            if (op == '(')
            {
                throw new FormatException($"Missing ')' in the filter '{text}'.");
            }

            Reduce(operands, op);
        }

        if (operands.Count != 1)
        {
            throw new FormatException($"Missing operator in the filter '{text}'.");
        }

        return new TestFilter(operands.Pop(), conditions);
    }

    /// <summary>The expression for a test whose properties <paramref name="property"/> tells (by name as written).</summary>
    public Truth Evaluate(Func<string, PropertyValue> property) => root.Evaluate(property);

    public override string ToString() => root.ToString();

    private static int Precedence(char op) => op == '&' ? 2 : 1;

    private static void Reduce(Stack<Node> operands, char op)
    {
        if (operands.Count < 2)
        {
            throw new FormatException($"Missing operand of '{op}'.");
        }

        var right = operands.Pop();
        var left = operands.Pop();
        operands.Push(new Node.Join(left, right, op == '&'));
    }

    private static FilterCondition ParseCondition(string text)
    {
        var parts = Tokens(text, "=!~", pairs: true).ToList();
        if (parts.Count == 1)
        {
            return new FilterCondition("FullyQualifiedName", Operation.Contains, Unescape(text.Trim()));
        }

        if (parts.Count != 3 || parts.Any(string.IsNullOrWhiteSpace))
        {
            throw new FormatException($"Invalid condition '{text}'.");
        }

        var operation = parts[1] switch
        {
            "=" => Operation.Equal,
            "!=" => Operation.NotEqual,
            "~" => Operation.Contains,
            "!~" => Operation.NotContains,
            _ => throw new FormatException($"Invalid operator '{parts[1]}' in the condition '{text}'."),
        };
        return new FilterCondition(parts[0].Trim(), operation, Unescape(parts[2].Trim()));
    }

    // Splits at the given characters, each a token of its own, except where escaped; with pairs, "!=" and "!~" are one
    // token each and a '!' on its own is a token too (the test platform's condition tokenizer). An escape is kept in
    // the token, for Unescape.
    private static IEnumerable<string> Tokens(string text, string separators, bool pairs)
    {
        var token = new StringBuilder();
        var escaped = false;
        for (var i = 0; i < text.Length; i++)
        {
            var current = text[i];
            if (escaped)
            {
                token.Append(current);
                escaped = false;
                continue;
            }

            if (current == Escape)
            {
                token.Append(current);
                escaped = true;
                continue;
            }

            if (!separators.Contains(current, StringComparison.Ordinal))
            {
                token.Append(current);
                continue;
            }

            if (token.Length > 0)
            {
                yield return token.ToString();
                token.Clear();
            }

            if (pairs && current == '!' && i + 1 < text.Length && text[i + 1] is '=' or '~')
            {
                yield return "!" + text[++i];
            }
            else
            {
                yield return current.ToString();
            }
        }

        if (token.Length > 0)
        {
            yield return token.ToString();
        }
    }

    private static string Unescape(string text)
    {
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var current = text[i];
            if (current == Escape)
            {
                if (++i == text.Length || !Special.Contains(text[i], StringComparison.Ordinal))
                {
                    throw new FormatException($"'\\' must be followed by one of {Special} in '{text}'.");
                }

                current = text[i];
            }

            result.Append(current);
        }

        return result.ToString();
    }

    private abstract record Node
    {
        public abstract Truth Evaluate(Func<string, PropertyValue> property);

        public sealed record Leaf(FilterCondition Condition) : Node
        {
            public override Truth Evaluate(Func<string, PropertyValue> property) =>
                Condition.Evaluate(property(Condition.Property));

            public override string ToString() => Condition.ToString();
        }

        public sealed record Join(Node Left, Node Right, bool And) : Node
        {
            public override Truth Evaluate(Func<string, PropertyValue> property)
            {
                var left = Left.Evaluate(property);
                var right = Right.Evaluate(property);
                return And ? TruthOf.And(left, right) : TruthOf.Or(left, right);
            }

            public override string ToString() => $"({Left}{(And ? "&" : "|")}{Right})";
        }
    }
}
