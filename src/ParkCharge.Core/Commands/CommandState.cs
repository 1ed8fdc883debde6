namespace ParkCharge.Core.Commands;

/// <summary>
/// The commands of a site the engine still needs: every open one, and finished ones for a day (a
/// late answer is recognised, a remote start finds the session it started). The log and the
/// projection keep them all.
/// </summary>
public sealed class CommandState
{
    /// <summary>How long a finished command stays in memory.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(1);

    private readonly Dictionary<string, ChargerCommand> _commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ChargerCommand> _open = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ChargerCommand> _unlinkedStarts = new(StringComparer.Ordinal);

    public IEnumerable<ChargerCommand> All => _commands.Values;

    /// <summary>Pending and sent commands.</summary>
    public IEnumerable<ChargerCommand> Open => _open.Values;

    public ChargerCommand? Find(string id) => _commands.GetValueOrDefault(id);

    /// <summary>Remote starts not yet matched with the session they started (pending, sent or accepted).</summary>
    public IEnumerable<ChargerCommand> UnlinkedRemoteStarts => _unlinkedStarts.Values;

    /// <summary>Pending commands in the order they were asked for (the order they are sent in).</summary>
    public IEnumerable<ChargerCommand> Pending => _open.Values.Where(c => c.Status == CommandStatus.Pending).OrderBy(c => c.RequestSeq);

    internal void Take(Engine.SiteChanges changes)
    {
        foreach (var command in changes.Commands)
        {
            _commands[command.Id] = command;
            if (command.IsOpen)
            {
                _open[command.Id] = command;
            }
            else
            {
                _open.Remove(command.Id);
            }

            if (IsUnlinkedStart(command))
            {
                _unlinkedStarts[command.Id] = command;
            }
            else
            {
                _unlinkedStarts.Remove(command.Id);
            }
        }
    }

    internal void Prune(DateTimeOffset now)
    {
        foreach (var command in _commands.Values.Where(c => !c.IsOpen && c.CompletedAt < now - Retention).ToList())
        {
            _commands.Remove(command.Id);
            _unlinkedStarts.Remove(command.Id);
        }
    }

    internal static bool IsUnlinkedStart(ChargerCommand c) =>
        c.Type == CommandType.RemoteStart && c.ChargingSessionId is null && c.Status is CommandStatus.Pending or CommandStatus.Sent or CommandStatus.Accepted;
}
