using System.Net.WebSockets;
using System.Text;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Sites;
using ParkCharge.Ocpp.CentralSystem;
using ParkCharge.Ocpp.Rpc;
using ParkCharge.Server.Auth;
using ParkCharge.Server.Hosting;
using ParkCharge.Storage.Queries;

namespace ParkCharge.Server.Ocpp;

/// <summary>
/// <c>ws(s)://host/ocpp/{chargePointId}</c> (DESIGN.md §5): the handshake (subprotocol, registration,
/// Basic auth per charger, TLS for security profile 2, a TLS client certificate for profile 3), then
/// one <see cref="RpcConnection"/> for the life of the socket, with its open and close recorded as observations.
/// </summary>
internal static partial class OcppEndpoint
{
    public static IEndpointRouteBuilder MapOcppEndpoint(this IEndpointRouteBuilder app)
    {
        app.Map("/ocpp/{chargePointId}", (HttpContext http, string chargePointId, OcppEndpointServices node) => HandleAsync(http, chargePointId, node))
            .WithMetadata(Marker.Instance)
            .ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// A request routed to the OCPP endpoint leaves the main pipeline here, before the API's middleware (authentication
    /// by API key, rate limits, audit, idempotency, status-code pages), none of which applies to it: each of those
    /// would otherwise stay suspended on the request, holding its state, for as long as the charger's socket lives
    /// (issue 17: about 1 KiB a connection). The branch keeps the exception handler, so that a handshake that fails on
    /// the store is answered as any request's would be, and WebSockets; the endpoint does its own authentication
    /// (Basic auth, TLS, client certificates, the handshake throttle). Call after routing has run (WebApplication
    /// routes first) and after the middleware every answer needs (forwarded headers, security headers).
    /// </summary>
    public static IApplicationBuilder UseOcppBranch(this IApplicationBuilder app) => app.MapWhen(
        static http => http.GetEndpoint()?.Metadata.GetMetadata<Marker>() is not null,
        static branch =>
        {
            branch.UseExceptionHandler();
            branch.UseWebSockets();
            branch.Run(static http => http.GetEndpoint()!.RequestDelegate!(http));
        });

    /// <summary>Marks the OCPP endpoint for <see cref="UseOcppBranch"/>.</summary>
    private sealed class Marker
    {
        public static readonly Marker Instance = new();
    }

    private static async Task HandleAsync(HttpContext http, string chargePointId, OcppEndpointServices node)
    {
        var logger = node.Logger;
        if (!http.WebSockets.IsWebSocketRequest)
        {
            await Refuse(http, StatusCodes.Status400BadRequest, "Not a WebSocket request",
                $"This is the OCPP endpoint: connect with a WebSocket client and one of the subprotocols {OcppSubprotocol.Supported}.");
            return;
        }

        if (!ChargerId.IsValid(chargePointId))
        {
            await Refuse(http, StatusCodes.Status400BadRequest, "Invalid charge point identity",
                "A charge point identity is 1 to 48 printable ASCII characters without '/', ':', '?', '#', '%' or spaces.");
            return;
        }

        var offered = http.WebSockets.WebSocketRequestedProtocols;
        var version = OcppSubprotocol.Choose(offered);
        if (version is null)
        {
            LogRefused(logger, chargePointId, "no supported subprotocol");
            await Refuse(http, StatusCodes.Status400BadRequest, "Unsupported OCPP version",
                $"Offered subprotocols: {(offered.Count == 0 ? "none" : string.Join(", ", offered))}. ParkCharge speaks {OcppSubprotocol.Supported}.");
            return;
        }

        var charger = new ChargerId(chargePointId);
        var ocpp = node.Options.Ocpp;
        var remoteAddress = http.Connection.RemoteIpAddress?.ToString();
        if (node.Throttle.RetryAfter(chargePointId, remoteAddress) is { } wait)
        {
            LogThrottled(logger, chargePointId, remoteAddress ?? "?");
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Refuse(http, StatusCodes.Status429TooManyRequests, "Too many failed attempts",
                "Too many failed authentication attempts for this charger or from this address; try again later.");
            return;
        }

        var credentials = await node.Store.Chargers.GetCredentialsAsync(charger, http.RequestAborted);
        if (credentials is null && ocpp.Registration == RegistrationPolicy.AutoRegister)
        {
            var site = new SiteId(ocpp.AutoRegisterSite);
            switch (await AutoRegisterAsync(node, charger, site, http.RequestAborted))
            {
                case AutoRegistration.Registered registered:
                    credentials = registered.Credentials;
                    LogAutoRegistered(logger, chargePointId, ocpp.AutoRegisterSite);
                    break;
                case AutoRegistration.Refused refused:
                    LogAutoRegisterRefused(logger, chargePointId, ocpp.AutoRegisterSite, refused.Reason);
                    await Refuse(http, StatusCodes.Status403Forbidden, "Auto-registration refused",
                        $"This node registers unknown chargers at site '{site}', but it refused this one: {refused.Reason} Register it with POST /api/v1/chargers.");
                    return;
            }
        }

        // An unknown identity is answered exactly as a known one with a wrong or missing password (same
        // status, body and work), so that the handshake does not tell which identities exist. (OCPP
        // 2.0.1 part 4 suggests 404 for an unknown identity; the issue of leaking identities wins.)
        var failure = credentials is null ? Unknown(http) : Authenticate(http, credentials);
        if (credentials is null || failure is not null)
        {
            LogRefused(logger, chargePointId, credentials is null ? "not registered" : failure!.Reason);
            if (failure!.Status == StatusCodes.Status401Unauthorized)
            {
                http.Response.Headers.WWWAuthenticate = "Basic realm=\"ParkCharge OCPP\", charset=\"UTF-8\"";
            }

            if (failure.Counts)
            {
                node.Throttle.Failed(chargePointId, remoteAddress);
            }

            await Refuse(http, failure.Status, failure.Title, failure.Reason);
            return;
        }

        // Security profile 3: the charger's TLS client certificate is its credential (Certificates/ChargerCertificateCheck).
        var chargerSite = new SiteId(credentials.SiteId);
        var clientCertificate = credentials.SecurityProfile >= 3 ? http.Connection.ClientCertificate : null;
        if (credentials.SecurityProfile >= 3
            && await node.CertificateCheck.RefusalAsync(clientCertificate, charger, chargerSite, http.RequestAborted) is { } refusal)
        {
            LogRefused(logger, chargePointId, refusal);
            await Refuse(http, StatusCodes.Status403Forbidden, "Client certificate not accepted",
                "This charger uses security profile 3: it must present a TLS client certificate issued by a CA trusted for its site, valid now, with its identity as the subject CN.");
            return;
        }

        // Proxy mode: a charger with upstreams talks to its own backend through ParkCharge (DESIGN.md §6). Read before
        // the handshake: a store that cannot be read now refuses the handshake (503; the charger connects again), rather
        // than dropping a connection already accepted.
        var upstreams = await node.Proxy.Directory.ForChargerAsync(charger, http.RequestAborted);

        // The connection is on record before the charger can send anything over it.
        var connection = new AcceptedConnection(node, http, charger, chargerSite, Guid.NewGuid().ToString("N"), version.Value, clientCertificate);
        await connection.SubmitAsync(new ConnectionOpened(charger, connection.ConnectionId, version.Value, node.Options.NodeId, remoteAddress));
        WebSocket socket;
        try
        {
            var pings = ocpp.PingInterval > TimeSpan.Zero;
            socket = await http.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
            {
                SubProtocol = OcppSubprotocol.NameOf(version.Value),
                KeepAliveInterval = pings ? ocpp.PingInterval : TimeSpan.Zero,
                KeepAliveTimeout = pings ? ocpp.PingTimeout : Timeout.InfiniteTimeSpan,
            });
        }
        catch
        {
            await connection.SubmitAsync(new ConnectionClosed(charger, connection.ConnectionId, "WebSocket handshake failed"));
            throw;
        }

        using (socket)
        {
            await RunConnectionAsync(connection, socket, upstreams);
        }
    }

    /// <summary>One accepted charger connection, from the handshake to its close: its socket's RPC loop, its place in <see cref="ChargerConnections"/>, its open and close observed.</summary>
    private static async Task RunConnectionAsync(AcceptedConnection connection, WebSocket socket, IReadOnlyList<ChargerUpstream> upstreams)
    {
        var node = connection.Node;
        var (charger, site, connectionId, version) = (connection.Charger, connection.Site, connection.ConnectionId, connection.Version);
        var link = new ChargerLink(site, charger, connection.SubmitFromChargerAsync, node.Time, node.Options.Ocpp.HeartbeatInterval, node.CertificateAuthority);
        using var telemetry = new ConnectionTelemetry(new MessageLogRecorder(node.Store.Writer, charger, connectionId, version), node.Metrics, charger, version);

        await using var proxy = upstreams.Count > 0 ? new Proxy.ChargerProxy(node.Proxy, charger, site, version, upstreams) : null;
        var direct = new ChargerCallHandler(link);
        await using var rpc = new RpcConnection(
            socket,
            telemetry.Handler(proxy?.ChargerCalls(direct) ?? direct),
            new RpcConnectionOptions
            {
                Version = version,
                ChargerId = charger.Value,
                CallTimeout = node.Options.Ocpp.CallTimeout,
                MaxMessageBytes = node.Options.Ocpp.MaxMessageBytes,
                PassUnknownActions = proxy?.Primary is not null, // the backend answers what ParkCharge does not know
            },
            node.Time,
            node.RpcLogger,
            telemetry);

        var request = connection.Http.Request;
        var live = new LiveConnection(charger, site, connectionId, version, rpc, connection.ClientCertificate, new Uri($"{request.Scheme}://{request.Host}{request.PathBase}/"));
        if (node.Connections.Add(live) is { } replaced)
        {
            LogReplaced(node.Logger, charger.Value, replaced.ConnectionId);
            try
            {
                await replaced.Rpc.CloseAsync(WebSocketCloseStatus.PolicyViolation, "replaced by a new connection of the same charger");
            }
            catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
            {
                // The old socket was already dead, which is why the charger reconnected.
            }
        }

        if (proxy is not null)
        {
            node.Proxies.Add(proxy);
            await proxy.StartAsync(rpc, connection.Http.RequestAborted);
        }

        LogConnected(node.Logger, charger.Value, version, connectionId);
        node.Metrics.ConnectionOpened(charger.Value);
        node.Signals.Notify(site); // commands that waited for this charger can go now
        if (connection.ClientCertificate is not null)
        {
            node.CertificateRenewal.Wake(); // near its end? ask for a new one now
        }

        var reason = "closed";
        try
        {
            await rpc.RunAsync(connection.Http.RequestAborted);
            reason = socket.CloseStatus is { } status ? $"closed ({(int)status} {socket.CloseStatusDescription})".TrimEnd() : "connection lost";
        }
        catch (OperationCanceledException)
        {
            reason = "connection aborted";
        }
        finally
        {
            node.Connections.Remove(live);
            if (proxy is not null)
            {
                node.Proxies.Remove(proxy);
            }

            await connection.SubmitAsync(new ConnectionClosed(charger, connectionId, reason));
            LogDisconnected(node.Logger, charger.Value, connectionId, reason);
        }
    }

    private static async Task<AutoRegistration> AutoRegisterAsync(OcppEndpointServices node, ChargerId charger, SiteId site, CancellationToken ct)
    {
        var now = node.Time.GetUtcNow();
        var reply = await node.Engines.SubmitAsync(new Observation
        {
            Site = site,
            Source = "ocpp:auto-register",
            Key = $"auto-register:{charger.Value}",
            EventTime = now,
            ReceivedAt = now,
            Payload = new ChargerRegistration(charger, PasswordHash: null, SecurityProfile: 0),
        });
        if (reply is Refused refused)
        {
            return new AutoRegistration.Refused(refused.Reason);
        }

        return await node.Store.Chargers.GetCredentialsAsync(charger, ct) is { } credentials
            ? new AutoRegistration.Registered(credentials)
            : new AutoRegistration.Refused("the registration was accepted but the charger is not on record.");
    }

    /// <summary>What auto-registering an unknown charger came to.</summary>
    private abstract record AutoRegistration
    {
        public sealed record Registered(ChargerCredentials Credentials) : AutoRegistration;

        public sealed record Refused(string Reason) : AutoRegistration;
    }

    /// <param name="Counts">A guess (credentials were sent and were wrong, or the identity is unknown): counted by the throttle.</param>
    private sealed record AuthFailure(int Status, string Title, string Reason, bool Counts = false);

    private static readonly AuthFailure AuthenticationRequired = new(StatusCodes.Status401Unauthorized, "Authentication required",
        "This charger must authenticate with HTTP Basic auth (OCPP security profile 1 or 2). If it is new, register it with POST /api/v1/chargers.");

    private static readonly AuthFailure WrongCredentials = new(StatusCodes.Status401Unauthorized, "Authentication failed",
        "Wrong user name or password for this charger, or a charger that is not registered (register it with POST /api/v1/chargers).", Counts: true);

    /// <summary>A password no charger has, checked for an unknown identity so that it costs what a known one costs.</summary>
    private static readonly string DecoyHash = Secrets.HashPassword(Guid.NewGuid().ToString("N"));

    /// <summary>An unregistered identity: refused as a registered one with wrong or missing credentials would be.</summary>
    private static AuthFailure Unknown(HttpContext http)
    {
        if (BasicCredentials(http) is { } sent)
        {
            _ = Secrets.VerifyPassword(sent.Password, DecoyHash);
            return WrongCredentials;
        }

        return HasBasicHeader(http) ? WrongCredentials : AuthenticationRequired;
    }

    /// <summary>
    /// Security profile 1: HTTP Basic auth with the charge point identity as user name. Profile 2:
    /// the same, over TLS only. A charger registered without a password (profile 0) is not asked for one.
    /// </summary>
    private static AuthFailure? Authenticate(HttpContext http, ChargerCredentials credentials)
    {
        if (credentials.SecurityProfile >= 2 && !http.Request.IsHttps)
        {
            return new AuthFailure(StatusCodes.Status403Forbidden, "TLS required", "This charger uses security profile 2: connect with wss://.");
        }

        if (credentials.PasswordHash is null)
        {
            return null;
        }

        if (BasicCredentials(http) is not { } sent)
        {
            return HasBasicHeader(http) ? WrongCredentials : AuthenticationRequired;
        }

        return sent.User == credentials.ChargerId && Secrets.VerifyPassword(sent.Password, credentials.PasswordHash)
            ? null
            : WrongCredentials;
    }

    private static bool HasBasicHeader(HttpContext http) =>
        http.Request.Headers.Authorization.ToString().StartsWith("Basic ", StringComparison.OrdinalIgnoreCase);

    /// <summary>The user and password of a Basic auth header; null when there is none or it cannot be read.</summary>
    private static (string User, string Password)? BasicCredentials(HttpContext http)
    {
        string header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
        }
        catch (FormatException)
        {
            return null;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? (decoded, "") : (decoded[..colon], decoded[(colon + 1)..]);
    }

    private static Task Refuse(HttpContext http, int status, string title, string detail) =>
        Results.Problem(title: title, detail: detail, statusCode: status).ExecuteAsync(http);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Charger {Charger} connected ({Version}, connection {ConnectionId})")]
    private static partial void LogConnected(ILogger logger, string charger, OcppVersion version, string connectionId);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Charger {Charger} disconnected (connection {ConnectionId}): {Reason}")]
    private static partial void LogDisconnected(ILogger logger, string charger, string connectionId, string reason);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "Charger {Charger} reconnected; its previous connection {ConnectionId} is closed")]
    private static partial void LogReplaced(ILogger logger, string charger, string connectionId);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Charger {Charger} refused at the OCPP handshake: {Reason}")]
    private static partial void LogRefused(ILogger logger, string charger, string reason);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "Charger {Charger} refused at the OCPP handshake from {Address}: too many failed attempts")]
    private static partial void LogThrottled(ILogger logger, string charger, string address);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Information, Message = "Charger {Charger} auto-registered at site {Site}")]
    private static partial void LogAutoRegistered(ILogger logger, string charger, string site);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Warning, Message = "Charger {Charger} not auto-registered at site {Site}: {Reason}")]
    private static partial void LogAutoRegisterRefused(ILogger logger, string charger, string site, string reason);
}
