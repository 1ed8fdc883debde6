using ParkCharge.Core.Privacy;

namespace ParkCharge.Core.Sites.Files;

/// <summary>The <c>settings.retention</c> block: how long each kind of personal data is kept (docs/privacy.md).</summary>
public sealed partial class SiteFileValidator
{
    private static readonly string[] RetentionNames = ["settledStays", "unpaidStays", "pictures", "messageLog", "deliveryLog", "auditLog", "pseudonymKey"];

    private SiteRetention Retention(DocumentMapping settings, SiteRetention defaults)
    {
        var days = WholeNumber(settings, "settings", "retentionDays", required: false);
        if (days < 0)
        {
            Error("settings.retentionDays", $"must not be negative (it is {days})", settings.Find("retentionDays")!.Line);
            days = null;
        }

        var block = Mapping(settings, "settings", "retention");
        if (days is not null && settings.Find("retentionDays") is { } old)
        {
            if (block?.Find("settledStays") is not null)
            {
                Error("settings.retentionDays", "is the old name of settings.retention.settledStays; give only the new one", old.Line);
            }
            else
            {
                Warn("settings.retentionDays", $"is deprecated: write settings.retention.settledStays: {days}d (read as that now)", old.Line);
            }
        }

        var retention = days is { } d ? defaults with { SettledStays = TimeSpan.FromDays(d) } : defaults;
        if (block is null)
        {
            return retention;
        }

        CheckFields(block, "settings.retention", RetentionNames, "retention setting");
        retention = new SiteRetention
        {
            SettledStays = Period(block, "settledStays") ?? retention.SettledStays,
            UnpaidStays = Period(block, "unpaidStays") ?? retention.UnpaidStays,
            Pictures = Period(block, "pictures") ?? retention.Pictures,
            MessageLog = Period(block, "messageLog") ?? retention.MessageLog,
            DeliveryLog = Period(block, "deliveryLog") ?? retention.DeliveryLog,
            AuditLog = Period(block, "auditLog") ?? retention.AuditLog,
            PseudonymKey = Period(block, "pseudonymKey") ?? retention.PseudonymKey,
        };

        // Pictures show more than the plate (the driver, passengers): they never outlive it. The audit log
        // proves who did what with the data, so it outlives every other period.
        if (retention.Pictures > retention.SettledStays)
        {
            Error("settings.retention.pictures", $"must not be longer than settledStays ({Durations.Format(retention.SettledStays)}): pictures are kept the shortest", Line(block, "pictures"));
        }

        if (retention.UnpaidStays < retention.SettledStays)
        {
            Error("settings.retention.unpaidStays", $"must not be shorter than settledStays ({Durations.Format(retention.SettledStays)}): an unpaid stay is held at least as long as a paid one", Line(block, "unpaidStays"));
        }

        var longest = new[] { retention.SettledStays, retention.UnpaidStays, retention.MessageLog, retention.DeliveryLog }.Max();
        if (retention.AuditLog < longest)
        {
            Error("settings.retention.auditLog", $"must not be shorter than the longest other period ({Durations.Format(longest)}): the audit log is kept the longest", Line(block, "auditLog"));
        }

        return retention;
    }

    private TimeSpan? Period(DocumentMapping block, string name)
    {
        var period = Duration(block, "settings.retention", name);
        if (period <= TimeSpan.Zero)
        {
            Error(Paths.Field("settings.retention", name), $"must be longer than zero (it is {Durations.Format(period.Value)})", block.Find(name)!.Line);
            return null;
        }

        return period;
    }
}
