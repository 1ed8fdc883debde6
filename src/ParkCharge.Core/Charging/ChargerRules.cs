using ParkCharge.Core.Engine;

namespace ParkCharge.Core.Charging;

/// <summary>How a site's chargers change: registration, connections, boot, connector status, faults.</summary>
internal static class ChargerRules
{
    private static readonly Refused NotRegistered = new("The charger is not registered at this site.");

    public static Reply Register(SiteChangeSet work, ChargerRegistration p)
    {
        var existing = work.Charger(p.Charger);
        var charger = existing is null
            ? new ChargerState { Id = p.Charger, Site = work.State.Site, RegisteredAt = work.EventTime }
            : existing;
        work.Put(charger with { PasswordHash = p.PasswordHash, SecurityProfile = p.SecurityProfile, DisplayName = p.Name ?? charger.DisplayName });
        work.Publish(new ChargerRegistered(p.Charger, work.State.Site, p.SecurityProfile) { EventTime = work.EventTime });
        return Acknowledged.Instance;
    }

    public static Reply Opened(SiteChangeSet work, ConnectionOpened p)
    {
        if (work.Charger(p.Charger) is not { } charger)
        {
            return NotRegistered;
        }

        work.Put(charger with
        {
            Version = p.Version,
            Connection = new ChargerConnection(p.ConnectionId, p.Version, p.NodeId, p.RemoteAddress, work.EventTime),
        });
        work.Publish(new ChargerConnected(p.Charger, p.Version, p.NodeId) { EventTime = work.EventTime });
        return Acknowledged.Instance;
    }

    /// <summary>
    /// A reconnecting charger's new socket replaces the old one before the old one's close is
    /// observed, so a close only counts for the connection that is current.
    /// </summary>
    public static Reply Closed(SiteChangeSet work, ConnectionClosed p)
    {
        if (work.Charger(p.Charger) is not { } charger)
        {
            return NotRegistered;
        }

        Commands.CommandRules.ConnectionLost(work, p.Charger, p.ConnectionId);

        if (charger.Connection?.ConnectionId != p.ConnectionId)
        {
            return Acknowledged.Instance;
        }

        work.Put(charger with { Connection = null, LastDisconnectedAt = work.EventTime, LastDisconnectReason = p.Reason });
        work.Publish(new ChargerDisconnected(p.Charger, p.Reason) { EventTime = work.EventTime });
        return Acknowledged.Instance;
    }

    public static Reply Booted(SiteChangeSet work, BootReported p)
    {
        if (work.Charger(p.Charger) is not { } charger)
        {
            return NotRegistered;
        }

        work.Put(charger with
        {
            Vendor = p.Vendor,
            Model = p.Model,
            SerialNumber = p.SerialNumber,
            FirmwareVersion = p.FirmwareVersion,
            LastBootAt = work.EventTime,
        });
        work.Publish(new ChargerBooted(p.Charger, p.Vendor, p.Model, p.SerialNumber, p.FirmwareVersion) { EventTime = work.EventTime });
        return Acknowledged.Instance;
    }

    /// <summary>
    /// The charger's message had a time outside the believable window (<see cref="ChargerInput"/>):
    /// the charger is marked and, at most once per <see cref="ChargerClockRejected.Interval"/>, an event
    /// tells operators its clock needs attention.
    /// </summary>
    public static void ClockRejected(SiteChangeSet work, Observations.Observation original)
    {
        if (ChargerOf(original.Payload) is not { } id || work.Charger(id) is not { } charger)
        {
            return;
        }

        if (charger.ClockRejectedAt is { } last && work.ReceivedAt >= last && work.ReceivedAt - last < ChargerClockRejected.Interval)
        {
            return;
        }

        work.Put(charger with { ClockRejectedAt = work.ReceivedAt });
        work.Publish(new ChargerClockRejected(id, original.Payload.Kind, work.Input.RejectedTime ?? original.EventTime, work.ReceivedAt) { EventTime = work.ReceivedAt });
    }

    private static ChargerId? ChargerOf(Observations.ObservationPayload payload) => payload switch
    {
        BootReported p => p.Charger,
        ConnectorStatusReported p => p.Charger,
        IdTokenPresented p => p.Charger,
        TransactionStartReported p => p.Charger,
        TransactionStopReported p => p.Charger,
        MeterValuesReported p => p.Charger,
        TransactionEventReported p => p.Charger,
        ChargerEventsReported p => p.Charger,
        DataTransferReceived p => p.Charger,
        ChargerNotificationReceived p => p.Charger,
        _ => null,
    };

    public static Reply StatusReported(SiteChangeSet work, ConnectorStatusReported p)
    {
        if (work.Charger(p.Charger) is null)
        {
            return NotRegistered;
        }

        var errorCode = p.ErrorCode is "NoError" ? null : p.ErrorCode;
        RecordStatus(work, p.Charger, new ConnectorState(p.Connector, p.Status, work.EventTime, errorCode, p.Info, p.VendorErrorCode), chargingState: null);
        TransactionRules.ConnectorStatusDuringTransaction(work, p.Charger, p.Connector, p.Status, work.EventTime);
        return Acknowledged.Instance;
    }

    /// <summary>
    /// Adds a status to the connector's timeline. It becomes the current status only when it is not
    /// older than the current one: a status queued offline and delivered late goes into the
    /// timeline at its own time and does not overwrite what the charger said since.
    /// </summary>
    public static void RecordStatus(SiteChangeSet work, ChargerId chargerId, ConnectorState reported, ChargingState? chargingState)
    {
        var charger = work.Charger(chargerId)!;
        work.Add(new ConnectorStatusEntry(
            chargerId, reported.Connector, reported.Status, reported.Since, work.ReceivedAt,
            reported.ErrorCode, reported.Info, reported.VendorErrorCode, chargingState));

        var current = charger.FindConnector(reported.Connector);
        if (current is not null && current.Since > reported.Since)
        {
            return;
        }

        if (current is null && charger.Connectors.Length >= ChargerState.MaxConnectors)
        {
            return; // in the timeline above; not one more connector in the charger's state
        }

        reported = reported.IsOutOfOrder
            ? reported with { OutOfOrderFrom = current is { IsOutOfOrder: true } ? current.OutOfOrderFrom : reported.Since, OutOfOrderUntil = null }
            : reported with { OutOfOrderFrom = current?.OutOfOrderFrom, OutOfOrderUntil = current is { IsOutOfOrder: true } ? reported.Since : current?.OutOfOrderUntil };
        work.Put(charger.WithConnector(reported));
        // Back to Available from a cable-in status: the cable came out, so the car has gone. Not from
        // Faulted, Unavailable or Reserved: a repaired connector says nothing about the car in the bay.
        if (reported.Status == ConnectorStatus.Available && current is { Status: ConnectorStatus.Preparing or ConnectorStatus.Charging or ConnectorStatus.SuspendedEV or ConnectorStatus.SuspendedEVSE or ConnectorStatus.Finishing or ConnectorStatus.Occupied })
        {
            Parking.ParkingRules.ConnectorBecameAvailable(work, chargerId, reported.Connector, current.Since, reported.Since);
        }

        if (current?.Status != reported.Status || chargingState is not null)
        {
            work.Publish(new ConnectorStatusChanged(chargerId, reported.Connector, reported.Status, current?.Status, chargingState) { EventTime = reported.Since });
        }

        var newFault = reported.Status == ConnectorStatus.Faulted || reported.ErrorCode is not null;
        var oldFault = current is not null && (current.Status == ConnectorStatus.Faulted || current.ErrorCode is not null);
        if (newFault && (!oldFault || current!.ErrorCode != reported.ErrorCode))
        {
            work.Publish(new ChargerFaultReported(chargerId, reported.Connector, reported.ErrorCode ?? "Faulted", reported.Info) { EventTime = reported.Since });
        }
        else if (!newFault && oldFault)
        {
            work.Publish(new ChargerFaultReported(chargerId, reported.Connector, current!.ErrorCode ?? "Faulted", reported.Info, Cleared: true) { EventTime = reported.Since });
        }
    }

    /// <summary>
    /// OCPP 2.0.1 reports problems as NotifyEvent on a variable named <c>Problem</c> (B.3 / N07):
    /// actualValue "true" raises it, "false" (or cleared) ends it. Everything else is kept in the log only.
    /// </summary>
    public static Reply EventsReported(SiteChangeSet work, ChargerEventsReported p)
    {
        if (work.Charger(p.Charger) is null)
        {
            return NotRegistered;
        }

        foreach (var e in p.Events)
        {
            if (!string.Equals(e.Variable, "Problem", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var cleared = e.Cleared == true || string.Equals(e.ActualValue, "false", StringComparison.OrdinalIgnoreCase);
            ConnectorRef? connector = e.Evse is { } evse ? ConnectorRef.Ocpp201(evse, e.Connector) : null;
            var code = e.TechCode is null ? e.Component : $"{e.Component}:{e.TechCode}";
            work.Publish(new ChargerFaultReported(p.Charger, connector, code, e.TechInfo, cleared) { EventTime = e.Timestamp });
        }

        Parking.BaySensorRules.EventsReported(work, p);
        return Acknowledged.Instance;
    }

    /// <summary>
    /// Every id token is accepted: ParkCharge learns who is charging from the bay camera, not from the
    /// token (and a remote start's token, from the API or autocharge, is ParkCharge's own). Refusing
    /// tokens by account is for the operator's own authorisation system.
    /// </summary>
    public static Reply Authorize(SiteChangeSet work, IdTokenPresented p) =>
        work.Charger(p.Charger) is null ? NotRegistered : new AuthorizationReply(AuthorizationStatus.Accepted);

    /// <summary>No vendor extension is understood: OCPP says to answer UnknownVendorId.</summary>
    public static Reply DataTransfer(SiteChangeSet work, DataTransferReceived p) =>
        work.Charger(p.Charger) is null ? NotRegistered : new DataTransferReply(DataTransferStatus.UnknownVendorId);

    public static Reply Notification(SiteChangeSet work, ChargerNotificationReceived p) =>
        work.Charger(p.Charger) is null ? NotRegistered : Acknowledged.Instance;

    /// <summary>Kept and published as it came: what a security event means is for the operator (and the charger's vendor) to judge.</summary>
    public static Reply SecurityEvent(SiteChangeSet work, SecurityEventReported p)
    {
        if (work.Charger(p.Charger) is null)
        {
            return NotRegistered;
        }

        work.Publish(new ChargerSecurityEvent(p.Charger, p.SecurityEventType, p.OccurredAt, p.TechInfo) { EventTime = work.EventTime });
        return Acknowledged.Instance;
    }

    /// <summary>Proxy mode: a backend's command ParkCharge refused, published for operators (the backend has its answer already).</summary>
    public static Reply UpstreamRefused(SiteChangeSet work, UpstreamCommandRefused p)
    {
        if (work.Charger(p.Charger) is null)
        {
            return NotRegistered;
        }

        work.Publish(new ChargerUpstreamCommandRefused(p.Charger, p.Upstream, p.Action, p.Answer, p.Reason) { EventTime = work.EventTime });
        return Acknowledged.Instance;
    }
}
