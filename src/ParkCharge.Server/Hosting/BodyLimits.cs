using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

using ParkCharge.Anpr;

namespace ParkCharge.Server.Hosting;

/// <summary>
/// How large a request body may be, by the kind of request (docs/integrators.md lists them). Kestrel's own
/// default (30 MB) is far more than any ParkCharge request needs, and every byte accepted is a byte read and
/// parsed: a body over its route's limit is refused (413) as soon as its length is known, before it is read.
/// </summary>
public static class BodyLimits
{
    /// <summary>Camera pushes: a few kilobytes of text and up to a few JPEGs (<see cref="PushLimits"/>).</summary>
    public static readonly long CameraPush = PushLimits.Default.MaxBytes;

    /// <summary>Site documents and tariffs: hundreds of bays and tariff elements fit in far less.</summary>
    public const long SiteDocument = 1024 * 1024;

    /// <summary>Everything else (commands, payments, corrections, webhooks, keys): small JSON objects.</summary>
    public const long Api = 64 * 1024;

    /// <summary>The most Kestrel accepts at all, whatever the route.</summary>
    public static long Largest => Math.Max(CameraPush, SiteDocument);

    /// <summary>Marks an endpoint with its body limit.</summary>
    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, long bytes)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new BodyLimit(bytes));

    /// <summary>Applies each endpoint's limit (<see cref="Api"/> when it names none) before anything reads the body.</summary>
    public static IApplicationBuilder UseBodyLimits(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = http.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? Api;
        }

        return next(http);
    });

    private sealed record BodyLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;
}
