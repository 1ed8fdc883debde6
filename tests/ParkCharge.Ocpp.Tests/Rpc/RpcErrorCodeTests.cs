using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.Rpc;

namespace ParkCharge.Ocpp.Tests.Rpc;

public sealed class RpcErrorCodeTests
{
    [Theory]
    [InlineData(RpcErrorCode.FormatViolation, "FormationViolation", "FormatViolation")]
    [InlineData(RpcErrorCode.GenericError, "GenericError", "GenericError")]
    [InlineData(RpcErrorCode.InternalError, "InternalError", "InternalError")]
    [InlineData(RpcErrorCode.MessageTypeNotSupported, "ProtocolError", "MessageTypeNotSupported")]
    [InlineData(RpcErrorCode.NotImplemented, "NotImplemented", "NotImplemented")]
    [InlineData(RpcErrorCode.NotSupported, "NotSupported", "NotSupported")]
    [InlineData(RpcErrorCode.OccurrenceConstraintViolation, "OccurenceConstraintViolation", "OccurrenceConstraintViolation")]
    [InlineData(RpcErrorCode.PropertyConstraintViolation, "PropertyConstraintViolation", "PropertyConstraintViolation")]
    [InlineData(RpcErrorCode.ProtocolError, "ProtocolError", "ProtocolError")]
    [InlineData(RpcErrorCode.RpcFrameworkError, "FormationViolation", "RpcFrameworkError")]
    [InlineData(RpcErrorCode.SecurityError, "SecurityError", "SecurityError")]
    [InlineData(RpcErrorCode.TypeConstraintViolation, "TypeConstraintViolation", "TypeConstraintViolation")]
    public void Each_version_sends_its_own_spelling_and_2_1_spells_as_2_0_1(RpcErrorCode code, string ocpp16, string ocpp2)
    {
        Assert.Equal(ocpp16, code.ToWireName(OcppVersion.Ocpp16));
        Assert.Equal(ocpp2, code.ToWireName(OcppVersion.Ocpp201));
        Assert.Equal(ocpp2, code.ToWireName(OcppVersion.Ocpp21));
    }

    [Theory]
    [InlineData("OccurenceConstraintViolation", RpcErrorCode.OccurrenceConstraintViolation)]
    [InlineData("OccurrenceConstraintViolation", RpcErrorCode.OccurrenceConstraintViolation)]
    [InlineData("FormationViolation", RpcErrorCode.FormatViolation)]
    [InlineData("FormatViolation", RpcErrorCode.FormatViolation)]
    [InlineData("RpcFrameworkError", RpcErrorCode.RpcFrameworkError)]
    [InlineData("MessageTypeNotSupported", RpcErrorCode.MessageTypeNotSupported)]
    public void Received_codes_are_read_in_either_spelling(string wireName, RpcErrorCode expected)
    {
        Assert.True(RpcErrorCodeWireNames.TryParse(wireName, out RpcErrorCode code));
        Assert.Equal(expected, code);
    }

    [Theory]
    [InlineData("VendorSpecificFault")]
    [InlineData("notimplemented")]
    [InlineData("")]
    public void Unknown_codes_are_not_mapped(string wireName)
    {
        Assert.False(RpcErrorCodeWireNames.TryParse(wireName, out _));
    }

    [Fact]
    public void Every_code_round_trips_through_its_wire_name_in_both_versions()
    {
        foreach (RpcErrorCode code in Enum.GetValues<RpcErrorCode>())
        {
            foreach (OcppVersion version in Enum.GetValues<OcppVersion>())
            {
                Assert.True(RpcErrorCodeWireNames.TryParse(code.ToWireName(version), out _));
            }
        }
    }
}
