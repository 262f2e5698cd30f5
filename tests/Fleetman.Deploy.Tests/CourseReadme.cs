namespace Fleetman.Deploy.Tests;

/// <summary>
/// One simple command of a README's ```bash blocks: its words (quotes removed), the here-document it reads, the
/// files it writes, and the words of the commands before it on its line (sed FILE | kubectl apply -f - reads FILE).
/// </summary>
public sealed record ShellCommand(int Line, string Text, IReadOnlyList<string> Words, string? Stdin, IReadOnlyList<string> Outputs, IReadOnlyList<string> Upstream)
{
    public override string ToString() => $"line {Line}: {Text}";
}

/// <summary>
/// Reads the commands of a chapter README the way bash would split them, far enough to find every kubectl and helm
/// command and the objects they name: continuation lines are joined, comments dropped, pipelines, lists and
/// $(...) substitutions split into their commands, quotes removed, here-documents kept as the command's input.
/// </summary>
public static partial class CourseReadme
{
    public static IReadOnlyList<ShellCommand> Commands(string markdown)
    {
        var commands = new List<ShellCommand>();
        foreach (var (line, lines) in BashBlocks(markdown))
        {
            for (var i = 0; i < lines.Count; i++)
            {
                var start = i;
                var text = lines[i];
                while (text.EndsWith('\\') && i + 1 < lines.Count)
                {
                    text = text[..^1] + " " + lines[++i].Trim();
                }

                var heredocs = new List<string>();
                var parsed = Split(text, heredocs);
                string? stdin = null;
                foreach (var delimiter in heredocs)
                {
                    var body = new StringBuilder();
                    while (++i < lines.Count && lines[i].Trim() != delimiter)
                    {
                        body.Append(lines[i]).Append('\n');
                    }

                    stdin = body.ToString();
                }

                var upstream = new List<string>();
                foreach (var command in parsed)
                {
                    commands.Add(new ShellCommand(line + start, text.Trim(), command.Words, command.Substituted ? null : stdin, command.Outputs, command.Substituted ? [] : [.. upstream]));
                    if (!command.Substituted)
                    {
                        upstream.AddRange(command.Words);
                    }
                }
            }
        }

        return commands;
    }

    /// <summary>The ```bash fenced blocks: the line (1-based) of each block's first line, and its lines without the fence's indentation.</summary>
    private static IEnumerable<(int Line, IReadOnlyList<string> Lines)> BashBlocks(string markdown)
    {
        var lines = markdown.Split('\n').Select(line => line.TrimEnd('\r')).ToArray();
        for (var i = 0; i < lines.Length; i++)
        {
            var fence = Fence().Match(lines[i]);
            if (!fence.Success)
            {
                continue;
            }

            var indent = fence.Groups[1].Value.Length;
            var bash = fence.Groups[2].Value is "bash" or "sh" or "shell" or "console";
            var block = new List<string>();
            var first = i + 2;
            while (++i < lines.Length && !lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                block.Add(lines[i].Length >= indent && string.IsNullOrWhiteSpace(lines[i][..indent]) ? lines[i][indent..] : lines[i].TrimStart());
            }

            if (bash)
            {
                yield return (first, block);
            }
        }
    }

    private sealed record Parsed(List<string> Words, List<string> Outputs, bool Substituted);

    /// <summary>Splits one logical line into simple commands; the commands of $(...) and `...` come first, as bash runs them first.</summary>
    private static List<Parsed> Split(string text, List<string> heredocs, bool substituted = false)
    {
        var commands = new List<Parsed>();
        var words = new List<string>();
        var outputs = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        var i = 0;

        void EndWord()
        {
            if (inWord)
            {
                words.Add(word.ToString());
            }

            word.Clear();
            inWord = false;
        }

        void EndCommand()
        {
            EndWord();
            if (words.Count > 0)
            {
                commands.Add(new Parsed(words, outputs, substituted));
            }

            words = [];
            outputs = [];
        }

        void Substitution(char close)
        {
            // $( ... ) with nesting and quotes, or ` ... `.
            var start = i;
            var depth = 1;
            char? quote = null;
            while (++i < text.Length)
            {
                var c = text[i];
                if (quote is not null)
                {
                    quote = c == quote ? null : quote;
                }
                else if (c is '\'' or '"' && close == ')')
                {
                    quote = c;
                }
                else if (close == ')' && c == '(')
                {
                    depth++;
                }
                else if (c == close && --depth == 0)
                {
                    break;
                }
            }

            if (i >= text.Length)
            {
                throw new InvalidDataException($"an unterminated substitution in: {text}");
            }

            var inner = text[start..i];
            commands.AddRange(Split(inner, heredocs, substituted: true));
            word.Append("$(").Append(inner).Append(')');
            inWord = true;
            i++;
        }

        while (i < text.Length)
        {
            var c = text[i];
            var next = i + 1 < text.Length ? text[i + 1] : '\0';
            if (c is ' ' or '\t')
            {
                EndWord();
                i++;
            }
            else if (c == '#' && !inWord)
            {
                break;
            }
            else if (c == '\'')
            {
                var end = text.IndexOf('\'', i + 1);
                if (end < 0)
                {
                    throw new InvalidDataException($"an unterminated quote in: {text}");
                }

                word.Append(text, i + 1, end - i - 1);
                inWord = true;
                i = end + 1;
            }
            else if (c == '"')
            {
                inWord = true;
                i++;
                while (i < text.Length && text[i] != '"')
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        word.Append(text[i + 1]);
                        i += 2;
                    }
                    else if (text[i] == '$' && i + 1 < text.Length && text[i + 1] == '(')
                    {
                        i += 2;
                        Substitution(')');
                    }
                    else
                    {
                        word.Append(text[i++]);
                    }
                }

                if (i >= text.Length)
                {
                    throw new InvalidDataException($"an unterminated quote in: {text}");
                }

                i++;
            }
            else if (c == '\\' && next != '\0')
            {
                word.Append(next);
                inWord = true;
                i += 2;
            }
            else if (c == '$' && next == '(')
            {
                i += 2;
                Substitution(')');
            }
            else if (c == '`')
            {
                i++;
                Substitution('`');
            }
            else if (c is '|' or '&' or ';' or '(' or ')')
            {
                EndCommand();
                i++;
            }
            else if (c is '<' or '>')
            {
                // A redirection: 2>&1, >file, >>file, <file, <<EOF. A file descriptor number before it is not a word.
                if (inWord && word.ToString().All(char.IsAsciiDigit))
                {
                    word.Clear();
                    inWord = false;
                }

                EndWord();
                var heredoc = c == '<' && next == '<';
                while (i < text.Length && text[i] is '<' or '>' or '&' or '-')
                {
                    i++;
                }

                while (i < text.Length && text[i] == ' ')
                {
                    i++;
                }

                var target = new StringBuilder();
                while (i < text.Length && text[i] is not (' ' or '|' or ';' or '&' or '<' or '>' or ')'))
                {
                    if (text[i] is not ('\'' or '"'))
                    {
                        target.Append(text[i]);
                    }

                    i++;
                }

                if (heredoc)
                {
                    heredocs.Add(target.ToString());
                }
                else if (c == '>' && target.Length > 0 && !char.IsAsciiDigit(target[0]) && target.ToString() != "/dev/null")
                {
                    outputs.Add(target.ToString());
                }
            }
            else
            {
                word.Append(c);
                inWord = true;
                i++;
            }
        }

        EndCommand();
        return commands;
    }

    [GeneratedRegex(@"^(\s*)```\s*([A-Za-z]*)\s*$")]
    private static partial Regex Fence();
}
