using System.Diagnostics.CodeAnalysis;

namespace ParkCharge.Anpr;

/// <summary>Something in a push that the parser could not accept.</summary>
/// <param name="Path">
/// Where in the push: a JSON path relative to the document (<c>[2].capturedAt</c>, <c>data.results[0].score</c>),
/// an XML path (<c>EventNotificationAlert/ANPR/confidenceLevel</c>), a form field or part name (<c>json</c>, <c>anpr.xml</c>),
/// <c>part {n}</c> for a multipart part that could not be read (counting from 0), or <c>body</c> for the whole push.
/// </param>
/// <param name="Message">What is wrong, for the camera's installer. Never contains a plate.</param>
public sealed record AnprParseError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>A parsed push, or the reasons the push was refused. Bad input is a result, never an exception.</summary>
public sealed record AnprParseResult
{
    private AnprParseResult(AnprPush? push, IReadOnlyList<AnprParseError> errors)
    {
        Push = push;
        Errors = errors;
    }

    public AnprPush? Push { get; }

    public IReadOnlyList<AnprParseError> Errors { get; }

    [MemberNotNullWhen(true, nameof(Push))]
    public bool IsSuccess => Push is not null;

    public static AnprParseResult Success(AnprPush push) => new(push, []);

    public static AnprParseResult Failure(IReadOnlyList<AnprParseError> errors)
    {
        ArgumentOutOfRangeException.ThrowIfZero(errors.Count);
        return new AnprParseResult(null, errors);
    }

    public static AnprParseResult Failure(string path, string message) => Failure([new AnprParseError(path, message)]);
}
