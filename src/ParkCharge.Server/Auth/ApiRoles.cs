namespace ParkCharge.Server.Auth;

/// <summary>
/// The roles an API key has (one each). What each may do is decided by <see cref="Policies"/>;
/// docs/integrators.md shows the matrix.
/// </summary>
public static class ApiRoles
{
    /// <summary>Everything: site configuration, charger registration, API keys, the audit log.</summary>
    public const string Admin = "admin";

    /// <summary>Reads, and the operator's actions: corrections, binding decisions, every command.</summary>
    public const string Operator = "operator";

    /// <summary>
    /// A parking or billing system: reads, payments, its webhooks, and starting, stopping and limiting
    /// charging (not unlock, reset or availability).
    /// </summary>
    public const string Integrator = "integrator";

    /// <summary>
    /// Camera pushes only, for any camera configured at a site (an ANPR server or VMS that pushes
    /// for many cameras). A single camera usually has its own key in the site file instead.
    /// </summary>
    public const string Camera = "camera";

    public static IReadOnlyList<string> All { get; } = [Admin, Operator, Integrator, Camera];

    public static bool IsValid(string? role) => role is Admin or Operator or Integrator or Camera;
}
