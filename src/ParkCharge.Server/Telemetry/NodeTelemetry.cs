using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;

using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

using ParkCharge.Server.Auth;
using ParkCharge.Server.Hosting;
using ParkCharge.Storage.Log;

namespace ParkCharge.Server.Telemetry;

/// <summary>
/// OpenTelemetry for a node (docs/operators.md, "Watching a node"): its metrics (<see cref="NodeMetrics"/>,
/// <see cref="StoreMetrics"/>, ASP.NET Core's and the runtime's HTTP client's), its traces (a charger's frame or
/// a camera push through the engine to the commit, the answer and the webhook delivery) and its logs.
/// Exported over OTLP when the standard <c>OTEL_EXPORTER_OTLP_*ENDPOINT</c> variables name a collector (the
/// other <c>OTEL_*</c> variables apply as the OpenTelemetry SDK reads them), and metrics scraped at
/// <c>/metrics</c> when <see cref="MetricsOptions.Enabled"/>. With neither, nothing is collected or exported.
/// </summary>
public static class NodeTelemetry
{
    /// <summary>The name of the node's <see cref="ActivitySource"/> and <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string Name = "ParkCharge";

    /// <summary>Where Prometheus scrapes, when <see cref="MetricsOptions.Enabled"/>.</summary>
    public const string MetricsPath = "/metrics";

    internal static readonly ActivitySource Activities = new(Name, Version);

    /// <summary>The OTLP endpoint variables; any of them set turns the OTLP exporter on.</summary>
    private static readonly string[] OtlpEndpoints =
        ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"];

    private static string Version =>
        typeof(NodeTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>
    /// Registers the node's instruments, and OpenTelemetry's providers when something will read them: an OTLP
    /// collector, the Prometheus endpoint, or (tests) whoever adds a provider of their own.
    /// </summary>
    public static void AddParkChargeTelemetry(this WebApplicationBuilder builder, ParkChargeOptions options)
    {
        builder.Services.AddSingleton<NodeMetrics>();
        builder.Services.AddSingleton<TraceOrigins>();
        builder.Services.AddSingleton<NodeGauges>();
        builder.Services.AddHostedService(services => services.GetRequiredService<NodeGauges>());

        // What the providers collect, whoever builds them (below, or a test with an in-memory exporter).
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing
            .AddSource(Name)
            .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsUntraced(http.Request.Path))
            .AddHttpClientInstrumentation());
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics =>
        {
            metrics.AddMeter(Name, StoreMetrics.MeterName).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();

            // A provider listens to meters by name in the whole process: of meters made by a host's IMeterFactory
            // (ours, ASP.NET Core's), it takes this node's only, should a process hold several (tests do).
            ((IDeferredMeterProviderBuilder)metrics).Configure((services, deferred) =>
            {
                var own = services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
                deferred.AddView(instrument => instrument.Meter.Scope is { } scope && !ReferenceEquals(scope, own) ? MetricStreamConfiguration.Drop : null);
            });
        });

        var config = builder.Configuration;
        var disabled = string.Equals(config["OTEL_SDK_DISABLED"], "true", StringComparison.OrdinalIgnoreCase);
        var otlp = !disabled && OtlpEndpoints.Any(name => !string.IsNullOrWhiteSpace(config[name]));
        if (!otlp && !options.Metrics.Enabled)
        {
            return;
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource =>
            {
                // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, when set, say who the node is; otherwise it says itself.
                if (string.IsNullOrWhiteSpace(config["OTEL_SERVICE_NAME"]))
                {
                    resource.AddService("parkcharge", serviceVersion: Version, serviceInstanceId: options.NodeId);
                }
            })
            .WithMetrics();
        if (options.Metrics.Enabled)
        {
            telemetry.WithMetrics(metrics => metrics.AddPrometheusExporter());
        }

        if (otlp)
        {
            telemetry.WithTracing().UseOtlpExporter();
        }
    }

    /// <summary>
    /// <c>/metrics</c> in Prometheus' text format, for an API key of any role but a camera's (as every read of
    /// the API), when <see cref="MetricsOptions.Enabled"/>; otherwise there is no such address.
    /// </summary>
    public static void MapParkChargeMetrics(this WebApplication app, ParkChargeOptions options)
    {
        if (options.Metrics.Enabled)
        {
            app.MapPrometheusScrapingEndpoint(MetricsPath).RequireAuthorization(Policies.Read);
        }
    }

    /// <summary>
    /// Requests without a span of their own: the scrape and the health check (polled, not worth a trace), and a
    /// charger's WebSocket, which lasts as long as the connection; each of its frames has its own trace instead.
    /// </summary>
    private static bool IsUntraced(PathString path) =>
        path.StartsWithSegments("/ocpp") || path.StartsWithSegments(MetricsPath) || path.StartsWithSegments("/healthz");

    /// <summary>Starts a span whose parent is <paramref name="parent"/> (none: a trace of its own), whatever span is current.</summary>
    internal static Activity? StartSpan(string name, ActivityKind kind, ActivityContext parent, DateTimeOffset startTime = default)
    {
        if (!Activities.HasListeners())
        {
            return null;
        }

        var current = Activity.Current;
        Activity.Current = null;
        try
        {
            return Activities.StartActivity(name, kind, parent, startTime: startTime);
        }
        finally
        {
            Activity.Current = current;
        }
    }

    /// <summary>Ends a span without disturbing the span current where it is ended.</summary>
    internal static void EndSpan(Activity? span, DateTimeOffset endTime = default)
    {
        if (span is null)
        {
            return;
        }

        var current = Activity.Current;
        if (endTime != default)
        {
            span.SetEndTime(endTime.UtcDateTime);
        }

        span.Dispose();
        Activity.Current = current == span ? span.Parent : current;
    }
}

/// <summary>
/// The trace each recent event came from, so that its webhook deliveries join that trace (a charger's frame,
/// a camera push). Kept in memory for the last <see cref="Capacity"/> events of this node: a delivery made
/// later, or by another node of a cluster, starts a trace of its own.
/// </summary>
public sealed class TraceOrigins
{
    private const int Capacity = 20_000;

    private readonly ConcurrentDictionary<(string Site, long Seq), ActivityContext> _origins = new();
    private readonly ConcurrentQueue<(string Site, long Seq)> _order = new();

    /// <summary>
    /// The entries kept, counted here: <see cref="ConcurrentDictionary{TKey, TValue}.Count"/> takes every one of the
    /// dictionary's locks, and on every commit of every site that was a tenth of the node's CPU under load (perf).
    /// </summary>
    private int _count;

    public void Remember(string site, long firstEventSeq, int count, ActivityContext origin)
    {
        if (origin == default)
        {
            return;
        }

        for (var seq = firstEventSeq; seq < firstEventSeq + count; seq++)
        {
            if (_origins.TryAdd((site, seq), origin))
            {
                Interlocked.Increment(ref _count);
                _order.Enqueue((site, seq));
            }
        }

        while (Volatile.Read(ref _count) > Capacity && _order.TryDequeue(out var oldest))
        {
            if (_origins.TryRemove(oldest, out _))
            {
                Interlocked.Decrement(ref _count);
            }
        }
    }

    public ActivityContext Of(string site, long seq) => _origins.GetValueOrDefault((site, seq));
}
