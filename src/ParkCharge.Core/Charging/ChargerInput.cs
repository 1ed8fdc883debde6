using ParkCharge.Core.Observations;

namespace ParkCharge.Core.Charging;

/// <summary>What <see cref="ChargerInput.Sanitize"/> had to set aside in a charger's message.</summary>
/// <param name="RejectedTime">The charger's time for the message when it was outside <see cref="EventTimes"/>' window; null when it was believable.</param>
/// <param name="RejectedSampleTimes">How many meter-value or event timestamps inside the message were outside the window.</param>
/// <param name="DroppedSamples">How many meter values were beyond <see cref="MeterSample.MaxMagnitude"/> and left out.</param>
public readonly record struct ChargerInputIssues(DateTimeOffset? RejectedTime, int RejectedSampleTimes, int DroppedSamples)
{
    public bool ClockRejected => RejectedTime is not null || RejectedSampleTimes > 0;

    public bool Any => ClockRejected || DroppedSamples > 0;
}

/// <summary>
/// A charger's message made safe before any rule sees it, because OCPP gives no way to refuse a value
/// (the charger would retry forever) and one charger must not break its site: a time outside
/// <see cref="EventTimes"/>' window becomes the time the message was received (a timestamp inside the
/// message, e.g. of a meter value, becomes the message's own time, itself made believable first), and
/// a meter value beyond <see cref="MeterSample.MaxMagnitude"/> is left out. The rules flag what was set
/// aside. The log keeps the message as the charger sent it; a replay sanitises it the same way.
/// </summary>
public static class ChargerInput
{
    public static (Observation Observation, ChargerInputIssues Issues) Sanitize(Observation observation)
    {
        if (!IsChargerReport(observation.Payload))
        {
            return (observation, default);
        }

        var rejected = EventTimes.IsPlausible(observation.EventTime, observation.ReceivedAt) ? (DateTimeOffset?)null : observation.EventTime;
        var at = rejected is null ? observation.EventTime : observation.ReceivedAt;
        var rejectedInside = 0;
        var dropped = 0;

        IReadOnlyList<MeterSample> Samples(IReadOnlyList<MeterSample> samples)
        {
            List<MeterSample>? kept = null;
            for (var i = 0; i < samples.Count; i++)
            {
                var sample = samples[i];
                MeterSample? replacement = sample;
                if (!sample.IsPlausible)
                {
                    dropped++;
                    replacement = null;
                }
                else if (!EventTimes.IsPlausible(sample.Timestamp, observation.ReceivedAt))
                {
                    rejectedInside++;
                    replacement = sample with { Timestamp = at };
                }

                if (kept is null && !ReferenceEquals(replacement, sample))
                {
                    kept = [.. samples.Take(i)];
                }

                if (kept is not null && replacement is not null)
                {
                    kept.Add(replacement);
                }
            }

            return kept ?? samples;
        }

        ObservationPayload payload = observation.Payload switch
        {
            TransactionStopReported p => p with { Samples = Samples(p.Samples) },
            MeterValuesReported p => p with { Samples = Samples(p.Samples) },
            TransactionEventReported p => p with { Samples = Samples(p.Samples) },
            ChargerEventsReported p => p with
            {
                Events = [.. p.Events.Select(e =>
                {
                    if (EventTimes.IsPlausible(e.Timestamp, observation.ReceivedAt))
                    {
                        return e;
                    }

                    rejectedInside++;
                    return e with { Timestamp = at };
                })],
            },
            var other => other,
        };

        var issues = new ChargerInputIssues(rejected, rejectedInside, dropped);
        return issues.Any
            ? (observation with { EventTime = at, Payload = payload }, issues)
            : (observation, issues);
    }

    /// <summary>Messages that carry a charger's own times or values (connection and registration observations are the server's).</summary>
    private static bool IsChargerReport(ObservationPayload payload) => payload is BootReported or ConnectorStatusReported
        or IdTokenPresented or TransactionStartReported or TransactionStopReported or MeterValuesReported
        or TransactionEventReported or ChargerEventsReported or DataTransferReceived or ChargerNotificationReceived;
}
