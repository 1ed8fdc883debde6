using ParkCharge.Core.Billing;

namespace ParkCharge.Server.Ocpi;

/// <summary>OCPI 2.2.1's names for the enums ParkCharge keeps in its own types.</summary>
internal static class OcpiNames
{
    public static string Of(TariffType type) => type switch
    {
        Core.Billing.TariffType.AdHocPayment => "AD_HOC_PAYMENT",
        Core.Billing.TariffType.ProfileCheap => "PROFILE_CHEAP",
        Core.Billing.TariffType.ProfileFast => "PROFILE_FAST",
        Core.Billing.TariffType.ProfileGreen => "PROFILE_GREEN",
        _ => "REGULAR",
    };

    public static TariffType? TariffType(string? name) => name?.Trim().ToUpperInvariant() switch
    {
        "AD_HOC_PAYMENT" => Core.Billing.TariffType.AdHocPayment,
        "PROFILE_CHEAP" => Core.Billing.TariffType.ProfileCheap,
        "PROFILE_FAST" => Core.Billing.TariffType.ProfileFast,
        "PROFILE_GREEN" => Core.Billing.TariffType.ProfileGreen,
        "REGULAR" => Core.Billing.TariffType.Regular,
        _ => null,
    };

    public static string Of(ReservationRestriction reservation) => reservation == ReservationRestriction.ReservationExpires ? "RESERVATION_EXPIRES" : "RESERVATION";

    public static string Of(TariffDimension dimension) => ChargingBill.Dimension(dimension);

    public static string Of(DayOfWeek day) => day.ToString().ToUpperInvariant();
}
