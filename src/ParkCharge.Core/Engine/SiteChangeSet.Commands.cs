using ParkCharge.Core.Commands;

namespace ParkCharge.Core.Engine;

/// <summary>The commands facet of a decision's working view: the commands a decision issued or whose status it changed.</summary>
internal sealed partial class SiteChangeSet
{
    private readonly Dictionary<string, ChargerCommand> _commands = new(StringComparer.Ordinal);

    public ChargerCommand? Command(string id) => _commands.TryGetValue(id, out var changed) ? changed : State.Commands.Find(id);

    /// <summary>The commands in memory (open, and finished within a day), with this decision's changes.</summary>
    public IEnumerable<ChargerCommand> Commands() => Merge(State.Commands.All, _commands.Values, c => c.Id, _commands);

    /// <summary>Pending and sent commands, with this decision's changes.</summary>
    public IEnumerable<ChargerCommand> OpenCommands() => Merge(State.Commands.Open, _commands.Values, c => c.Id, _commands).Where(c => c.IsOpen);

    public void Put(ChargerCommand command) => _commands[command.Id] = command;

    /// <summary>Remote starts not yet matched with the session they started, with this decision's changes.</summary>
    public IEnumerable<ChargerCommand> UnlinkedRemoteStarts() =>
        Merge(State.Commands.UnlinkedRemoteStarts, _commands.Values, c => c.Id, _commands).Where(CommandState.IsUnlinkedStart);
}
