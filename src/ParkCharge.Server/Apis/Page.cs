using ParkCharge.Storage.Queries;

namespace ParkCharge.Server.Apis;

/// <summary>A page of results and the cursor for the next one (null at the end).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next);

/// <summary>Pages of the store's records as pages of the API's views.</summary>
internal static class Pages
{
    public static Page<TView> Map<TRecord, TView>(this ResultPage<TRecord> page, Func<TRecord, TView> view) =>
        new([.. page.Items.Select(view)], page.Next);
}
