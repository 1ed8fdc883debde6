using System.Text.Json;

using ParkCharge.Core.Plates;
using ParkCharge.Simulator.Scenarios.BusyDay;

namespace ParkCharge.Simulator.Tests.Scenarios;

/// <summary>The busy-day generator: deterministic, and as awkward as it claims to be.</summary>
public sealed class BusyDayTests
{
    private static readonly BusyDayOptions Small = new() { Seed = 7, Days = 1, EvBays = 10 };

    [Fact]
    public void The_same_seed_gives_the_same_day_message_for_message()
    {
        var one = BusyDayGenerator.Generate(Small);
        var other = BusyDayGenerator.Generate(Small);

        Assert.Equal(Json(one.Site), Json(other.Site));
        Assert.Equal(one.Messages.Select(Json), other.Messages.Select(Json));
        Assert.Equal(one.Transactions.Select(Json), other.Transactions.Select(Json));
        Assert.Equal(one.VehicleOfRead.OrderBy(p => p.Key, StringComparer.Ordinal), other.VehicleOfRead.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void Another_seed_gives_another_day()
    {
        var one = BusyDayGenerator.Generate(Small);
        var other = BusyDayGenerator.Generate(Small with { Seed = 8 });

        Assert.NotEqual(one.Messages.Select(Json), other.Messages.Select(Json));
    }

    [Fact]
    public void Messages_come_in_arrival_order_and_every_read_is_of_a_known_vehicle()
    {
        var day = BusyDayGenerator.Generate(Small);

        Assert.True(day.Messages.Zip(day.Messages.Skip(1)).All(p => p.First.Observation.ReceivedAt <= p.Second.Observation.ReceivedAt));
        var reads = day.Messages.Select(m => m.Observation).Where(o => o.Payload is Core.Parking.PlateRead).Select(o => o.Key).Distinct().ToList();
        Assert.NotEmpty(reads);
        Assert.All(reads, key => Assert.True(day.PlateOfVehicle.ContainsKey(day.VehicleOfRead[key])));
    }

    [Fact]
    public void A_transaction_is_unresolvable_only_when_no_usable_bay_read_of_its_vehicle_arrived()
    {
        var day = BusyDayGenerator.Generate(Small with { Days = 2 });

        Assert.All(day.Transactions.Where(t => !t.IsResolvable), t => Assert.True(t.Traits.HasFlag(TransactionTraits.BayReadMissed), t.Ref));
        Assert.All(day.Transactions.Where(t => t.Evidence == Evidence.BayRead), t => Assert.False(t.Traits.HasFlag(TransactionTraits.BayReadMissed), t.Ref));
        Assert.All(day.Transactions.Where(t => t.Evidence == Evidence.BayRead), t =>
        {
            var readsOfTheVehicle = day.VehicleOfRead.Where(r => r.Value == t.Vehicle).Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
            var texts = day.Messages.Where(m => readsOfTheVehicle.Contains(m.Observation.Key) && m.Observation.Payload is Core.Parking.PlateRead)
                .Select(m => PlateText.Normalize(((Core.Parking.PlateRead)m.Observation.Payload).Plate));
            Assert.Contains(texts, text => text == t.Plate || PlateSimilarity.IsSameVehicle(text, t.Plate));
        });
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);
}
