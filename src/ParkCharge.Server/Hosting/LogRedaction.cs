using System.Buffers;
using System.Collections;
using System.Text;
using System.Text.RegularExpressions;

using Microsoft.Extensions.Primitives;

namespace ParkCharge.Server.Hosting;

/// <summary>
/// Makes every log line safe to write whatever arrived over the network, for every logger of the node
/// (its own, ASP.NET Core's request log, the store's): secrets in query strings (<c>?key=</c>, the
/// camera key of cameras that cannot set headers) are replaced by <c>[redacted]</c>, and control
/// characters (newlines, escape sequences) are written as escapes (<c>\n</c>, <c>\u001b</c>), so a
/// request cannot forge log lines or drive the operator's terminal. Applied to the formatted message
/// and to every text value of a structured entry (what JSON and journal formatters write), whatever the
/// configured log levels: turning the request log on in production must not put camera keys in it.
/// </summary>
public static partial class LogRedaction
{
    /// <summary>Query parameters whose values are never logged.</summary>
    private static readonly SearchValues<string> SecretParameters = SearchValues.Create(
        ["key", "apikey", "api_key", "token", "access_token", "password", "secret"], StringComparison.OrdinalIgnoreCase);

    /// <summary>The text as it may appear in a log: secrets in query strings redacted, control characters escaped.</summary>
    public static string Clean(string text)
    {
        if (!NeedsCleaning(text))
        {
            return text;
        }

        text = QueryParameter().Replace(text, m => SecretParameters.Contains(m.Groups["name"].Value) ? $"{m.Groups["name"].Value}=[redacted]" : m.Value);
        text = PrivacyPlate().Replace(text, "$1[plate]");
        return Escape(text);
    }

    private static bool NeedsCleaning(string text)
    {
        // A data subject's request names the plate in its path (docs/privacy.md): neither the request log nor
        // the API audit (which stores paths through this) may keep it.
        if (text.Contains("/privacy/plates/", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        foreach (var c in text)
        {
            if (c == '=' || IsControl(c))
            {
                return true;
            }
        }

        return false;
    }

    // To the next path separator, query, quote, end of line or ": ": a decoded plate may hold spaces ("M-PR 42"),
    // so what follows it on a request-log line may go too; better a line cut short than a plate in the log.
    [GeneratedRegex(@"(/privacy/plates/)(?:(?!: )[^/?#""\r\n])+", RegexOptions.IgnoreCase)]
    private static partial Regex PrivacyPlate();

    private static bool IsControl(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';

    private static string Escape(string text)
    {
        var builder = (StringBuilder?)null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (!IsControl(c))
            {
                builder?.Append(c);
                continue;
            }

            builder ??= new StringBuilder(text.Length + 16).Append(text, 0, i);
            builder.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ => $"\\u{(int)c:x4}",
            });
        }

        return builder?.ToString() ?? text;
    }

    /// <summary>A query parameter: after <c>?</c> or <c>&amp;</c>, a name, <c>=</c>, a value up to the next separator.</summary>
    [GeneratedRegex(@"(?<=[?&])(?<name>[A-Za-z_]+)=[^&#\s""']*", RegexOptions.CultureInvariant)]
    private static partial Regex QueryParameter();

    /// <summary>A value of a structured entry as it may be logged: text cleaned, anything else as it is.</summary>
    internal static object? CleanValue(object? value) => value switch
    {
        string s => Clean(s),
        PathString or QueryString or HostString or Uri or StringValues => Clean(value.ToString() ?? ""),
        _ => value,
    };

    /// <summary>Wraps a logger factory so that every logger it makes cleans what it writes.</summary>
    public static ILoggerFactory Wrap(ILoggerFactory factory) => factory as CleaningLoggerFactory ?? new CleaningLoggerFactory(factory);

    /// <summary>Replaces the host's logger factory with one that cleans every entry (call after logging is configured).</summary>
    public static IServiceCollection AddLogRedaction(this IServiceCollection services)
    {
        var registration = services.LastOrDefault(d => d.ServiceType == typeof(ILoggerFactory))
            ?? throw new InvalidOperationException("Logging is not configured.");
        services.Remove(registration);
        services.AddSingleton<ILoggerFactory>(provider => new CleaningLoggerFactory(registration.ImplementationType is { } type
            ? (ILoggerFactory)ActivatorUtilities.CreateInstance(provider, type)
            : registration.ImplementationFactory is { } make ? (ILoggerFactory)make(provider) : (ILoggerFactory)registration.ImplementationInstance!));
        return services;
    }

    private sealed class CleaningLoggerFactory(ILoggerFactory inner) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => new CleaningLogger(inner.CreateLogger(categoryName));

        public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

        public void Dispose() => inner.Dispose();
    }

    private sealed class CleaningLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull =>
            state is IReadOnlyList<KeyValuePair<string, object?>> values ? inner.BeginScope(new CleanState(values, state)) : inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel))
            {
                return;
            }

            var message = formatter(state, exception);
            var values = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
            inner.Log(logLevel, eventId, new CleanState(values, message), exception, static (s, _) => s.Message);
        }
    }

    /// <summary>A structured entry with its text values cleaned; formats as the cleaned message.</summary>
    /// <param name="text">
    /// The message, or for a scope the state it formats from: a scope's text is made only when a logger writes it, not
    /// when it begins (every request begins one, and a charger's WebSocket request holds it for the socket's life).
    /// </param>
    private sealed class CleanState(IReadOnlyList<KeyValuePair<string, object?>> values, object? text) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private string? _message;

        public string Message => _message ??= text?.ToString() is { } message ? Clean(message) : "";

        public int Count => values.Count;

        public KeyValuePair<string, object?> this[int index]
        {
            get
            {
                var (name, value) = values[index];
                return name == "{OriginalFormat}" ? values[index] : new(name, CleanValue(value));
            }
        }

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            for (var i = 0; i < Count; i++)
            {
                yield return this[i];
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => Message;
    }
}
