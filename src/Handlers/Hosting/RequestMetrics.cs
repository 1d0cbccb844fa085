using System.Text.Json;

namespace AwsModelPlatform.Handlers.Hosting;

/// <summary>
/// The EMF metrics a request reports in its log line: the directives that apply to it, then the dimension values and
/// metric values they name (EMF reads both from the record's top-level members). A route sets one on its
/// <see cref="RequestContext"/>; a request without one writes the access log only.
/// </summary>
public abstract class RequestMetrics
{
    /// <summary>Writes this request's directives (<see cref="MetricDirective.WriteTo"/>) into <c>_aws.CloudWatchMetrics</c>.</summary>
    public abstract void WriteDirectives(Utf8JsonWriter w, in RequestRecord r);

    /// <summary>Writes the dimension and metric values the directives name, as members of the record (<c>Api</c> is already one).</summary>
    public abstract void WriteValues(Utf8JsonWriter w, in RequestRecord r);
}
