using System.Text.Json;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.Validation;

namespace ParkCharge.Ocpp.Tests.Validation;

public sealed class AllocationTests
{
    private const string TransactionEvent = """
        {"eventType":"Updated","timestamp":"2024-05-01T10:00:00.250+02:00","triggerReason":"MeterValuePeriodic","seqNo":17,"offline":false,
         "transactionInfo":{"transactionId":"c5b0a8f2-1d7e-4a57-9f1e-3b2a1c0d9e8f","chargingState":"Charging","timeSpentCharging":5400},
         "idToken":{"idToken":"04A2B3C4D5E6F7","type":"ISO14443"},"evse":{"id":1,"connectorId":1},
         "meterValue":[{"timestamp":"2024-05-01T10:00:00Z","sampledValue":[
           {"value":12345.678,"context":"Sample.Periodic","measurand":"Energy.Active.Import.Register","unitOfMeasure":{"unit":"kWh"}},
           {"value":16.1,"measurand":"Current.Import","phase":"L1","unitOfMeasure":{"unit":"A"}},
           {"value":81,"measurand":"SoC","location":"EV"}]}],
         "customData":{"vendorId":"com.example","note":"Zählerstand"}}
        """;

    [Fact]
    public void Validating_a_valid_payload_allocates_nothing()
    {
        using JsonDocument document = JsonDocument.Parse(TransactionEvent);
        OcppSchemas schemas = OcppSchemas.For(OcppVersion.Ocpp201);
        Assert.True(schemas.ValidateRequest("TransactionEvent", document.RootElement).IsValid);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            schemas.ValidateRequest("TransactionEvent", document.RootElement);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
