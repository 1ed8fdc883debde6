using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

using ParkCharge.Simulator.Scenarios.BusyDay;

namespace ParkCharge.Simulator.Tests.Scenarios;

/// <summary>
/// The busy days the binding benchmark's recorded figures come from (bench/README.md, per seed) are pinned:
/// a change to the generator that changes a day, down to one message's byte or one draw of the random
/// generator, is seen here and is made on purpose (with the figures recorded again), never by a refactoring.
/// </summary>
public sealed class BusyDayDigestTests
{
    [Theory]
    [InlineData(1, "62827865c08350f5856959b424309997b8cd5ea7e357984ba48705bcf89e46f2")]
    [InlineData(7, "6780f2558095f815be8023df302ec3b77efc6bd3c24f5677f17ebe85090cb9fc")]
    public void The_benchmark_days_are_the_ones_their_figures_were_recorded_on(int seed, string digest)
    {
        var day = BusyDayGenerator.Generate(new BusyDayOptions { Seed = seed, Days = 1, EvBays = 20 });

        var actual = Digest(day);
        Assert.True(digest == actual, $"seed {seed}: the day is now {actual}");
    }

    /// <summary>Everything a day is, as JSON (payloads by their own type), hashed.</summary>
    internal static string Digest(SimulatedDay day)
    {
        var text = new StringBuilder();
        text.AppendLine(JsonSerializer.Serialize(day.Site));
        foreach (var message in day.Messages)
        {
            text.AppendLine(JsonSerializer.Serialize(message));
            text.AppendLine(JsonSerializer.Serialize(message.Observation.Payload, message.Observation.Payload.GetType()));
        }

        foreach (var transaction in day.Transactions)
        {
            text.AppendLine(JsonSerializer.Serialize(transaction));
        }

        text.AppendLine(JsonSerializer.Serialize(day.Census));
        text.AppendLine(JsonSerializer.Serialize(day.VehicleOfRead.OrderBy(p => p.Key, StringComparer.Ordinal)));
        text.AppendLine(JsonSerializer.Serialize(day.PlateOfVehicle.OrderBy(p => p.Key, StringComparer.Ordinal)));
        text.AppendLine(JsonSerializer.Serialize(day.End));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
