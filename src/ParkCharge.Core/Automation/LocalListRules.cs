using System.Collections.Immutable;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Commands;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Sites;

namespace ParkCharge.Core.Automation;

/// <summary>
/// Local authorisation lists (OCPP 1.6 and 2.x SendLocalList, with versions): with <see cref="AutochargeRule.LocalList"/>,
/// the plates' own autocharge tokens (and, with <see cref="AutochargeRule.LearnedTokens"/>, the tokens learnt from
/// confident bindings) are pushed to every connected charger, so that one that cannot reach ParkCharge still starts
/// charging for them. A charger gets the full list first (and again whenever its version turns out to differ), then
/// only what changed (a differential update: added tokens, and removed ones without their status), one update at a
/// time; each is a command (origin LocalList) with its outcome. What the charger accepted is kept per charger.
/// </summary>
public static class LocalListRules
{
    /// <summary>OCPP 1.6 idTag is CiString20: a longer token cannot be on a 1.6 list.</summary>
    private const int MaxToken16 = 20;

    /// <summary>The type of a token whose type ParkCharge never saw (a plate's token from the site file): a card.</summary>
    public const string DefaultTokenType = "ISO14443";

    /// <summary>After a decision: chargers whose list differs from the site's get an update, when one may be sent.</summary>
    internal static void AfterDecision(SiteChangeSet work, SiteConfiguration config)
    {
        if (!config.Automation.Autocharge.LocalList || !Concerned(work))
        {
            return;
        }

        Dictionary<bool, Dictionary<string, LocalListEntry>> wanted = [];
        foreach (var charger in work.State.Chargers.Values.Select(c => work.Charger(c.Id)!).Where(c => c.Connection is not null))
        {
            var list = work.LocalList(charger.Id);
            if (work.Observation.Payload is ConnectionOpened opened && opened.Charger == charger.Id && list.Paused)
            {
                list = list with { Paused = false, NeedsFull = true }; // a charger that reconnected may have been reset or updated
                work.Put(list);
            }

            if (list.Paused || work.OpenCommands().Any(c => c.Charger == charger.Id && c.Type is CommandType.SendLocalList))
            {
                continue;
            }

            var v16 = charger.Version is OcppVersion.Ocpp16;
            if (!wanted.TryGetValue(v16, out var desired))
            {
                wanted[v16] = desired = Desired(work, config, v16);
            }

            var update = Update(list, desired);
            if (update is null)
            {
                continue;
            }

            var command = new ChargerCommand
            {
                Id = work.NewId("command"),
                Charger = charger.Id,
                Type = CommandType.SendLocalList,
                Origin = CommandOrigin.LocalList,
                RequestedBy = "automation: local list",
                RequestedAt = work.EventTime,
                ExpiresAt = work.EventTime + CommandRules.AutomationWait,
                RequestSeq = work.Seq,
                LocalList = update,
                Reason = update.Full
                    ? $"the charger's local list, in full: {update.Entries.Length} token(s), version {update.Version}"
                    : $"{update.Entries.Count(e => !e.Remove)} token(s) added and {update.Entries.Count(e => e.Remove)} taken off, version {update.Version}",
            };
            CommandRules.Issue(work, command);
        }
    }

    /// <summary>
    /// A local-list command ended: an accepted update is what the charger holds now; a version mismatch or failure asks for
    /// a full update (once: a full one that fails waits for the charger to reconnect); a charger without local lists is left
    /// alone until it reconnects. A version read from the charger that is not ours asks for a full update.
    /// </summary>
    internal static void Answered(SiteChangeSet work, ChargerCommand command)
    {
        if (command.Type is not (CommandType.SendLocalList or CommandType.GetLocalListVersion))
        {
            return;
        }

        var list = work.LocalList(command.Charger);
        if (command.Type == CommandType.GetLocalListVersion)
        {
            if (command is { Status: CommandStatus.Accepted, ListVersion: { } version } && version != list.Version && !list.NeedsFull)
            {
                work.Put(list with { NeedsFull = true });
            }

            return;
        }

        if (command.LocalList is not { } update)
        {
            return;
        }

        if (command.Status == CommandStatus.Accepted)
        {
            var entries = update.Full ? ImmutableSortedDictionary.Create<string, LocalListEntry>(StringComparer.Ordinal) : list.Entries;
            foreach (var entry in update.Entries)
            {
                entries = entry.Remove ? entries.Remove(entry.IdToken) : entries.SetItem(entry.IdToken, entry);
            }

            work.Put(list with { Version = update.Version, Entries = entries, NeedsFull = false, Paused = false });
        }
        else if (command.Response is "NotSupported" or "NotImplemented" || (command.Status == CommandStatus.Rejected && update.Full) || command.Status == CommandStatus.Failed)
        {
            work.Put(list with { Paused = true, Version = Math.Max(list.Version, update.Version) });
        }
        else if (command.Status == CommandStatus.Rejected)
        {
            work.Put(list with { NeedsFull = true, Version = Math.Max(list.Version, update.Version) }); // VersionMismatch, Failed
        }
    }

    /// <summary>The site's list for a charger of this version: the plates' own tokens, and the learnt ones with <see cref="AutochargeRule.LearnedTokens"/>.</summary>
    private static Dictionary<string, LocalListEntry> Desired(SiteChangeSet work, SiteConfiguration config, bool v16)
    {
        var rule = config.Automation.Autocharge;
        var entries = new Dictionary<string, LocalListEntry>(StringComparer.Ordinal);
        foreach (var plate in rule.Plates)
        {
            if (plate.IdToken is { Length: > 0 } token && (!v16 || token.Length <= MaxToken16))
            {
                entries[token] = new LocalListEntry(token, DefaultTokenType, plate.Plate);
            }
        }

        if (rule.LearnedTokens)
        {
            foreach (var token in work.TaughtTokens())
            {
                if (entries.ContainsKey(token) || token == rule.IdToken || (v16 && token.Length > MaxToken16) || work.PlateOfToken(token) is not { } plate)
                {
                    continue; // a token seen with two vehicles identifies nobody: it is not on the list
                }

                var type = work.State.Binding.SourcesOf(token).Select(work.Session).OfType<ChargingSession>().Select(s => s.IdToken?.Type).LastOrDefault(t => t is not null);
                entries[token] = new LocalListEntry(token, type ?? DefaultTokenType, plate);
            }
        }

        return entries;
    }

    /// <summary>What to send: everything when a full update is due, else the difference; null when the charger's list is the site's.</summary>
    private static LocalListUpdate? Update(ChargerLocalList list, Dictionary<string, LocalListEntry> desired)
    {
        if (list.NeedsFull)
        {
            return new LocalListUpdate(list.Version + 1, Full: true, [.. desired.Values.OrderBy(e => e.IdToken, StringComparer.Ordinal)]);
        }

        var changes = desired.Values.Where(e => !list.Entries.TryGetValue(e.IdToken, out var held) || held != e)
            .Concat(list.Entries.Values.Where(e => !desired.ContainsKey(e.IdToken)).Select(e => e with { Remove = true }))
            .OrderBy(e => e.IdToken, StringComparer.Ordinal)
            .ToImmutableArray();
        return changes.IsEmpty ? null : new LocalListUpdate(list.Version + 1, Full: false, changes);
    }

    /// <summary>Only what can change a list or a charger's readiness for one: the site, token links, a connection, a command's end.</summary>
    private static bool Concerned(SiteChangeSet work) =>
        work.ConfigurationChanged || work.TokensChanged
        || work.Observation.Payload is ConnectionOpened or BootReported or CommandAnswered or TimerElapsed;
}
