namespace ParkCharge.Core.Parking;

/// <summary>An operator action on personal or billing data, with who did it and why (DESIGN.md §7).</summary>
public sealed record AuditEntry(DateTimeOffset At, string By, string Action, string Target, string Reason, string Detail);
