using System.Collections.Concurrent;

namespace AwsModelPlatform.Handlers.Access;

/// <summary>
/// Each request's share of its model's busy time in this process: while <c>n</c> requests of a model are in flight, each
/// is charged <c>1/n</c> of the time (processor sharing). A request's share is the growth of the model's cumulative
/// <c>∫ dt / n</c> between its start and its end, so starting and ending cost O(1) under one lock per model. Only this
/// process's requests are seen: in Lambda a function instance serves one request at a time, so <c>n</c> is 1 there and a
/// request is charged its whole duration (docs/access.md, "Dollars").
/// </summary>
public sealed class BusyTime(TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, ModelClock> _models = new(StringComparer.Ordinal);

    /// <summary>Marks a request of <paramref name="model"/> in flight.</summary>
    public Ticket Start(string model)
    {
        var m = _models.GetOrAdd(model, _ => new ModelClock());
        lock (m.Gate)
        {
            Advance(m);
            m.InFlight++;
            return new Ticket(m, m.Share);
        }
    }

    /// <summary>Ends the request of <paramref name="ticket"/> (once): its share of the model's busy time.</summary>
    public TimeSpan End(Ticket ticket)
    {
        var m = ticket.Model;
        lock (m.Gate)
        {
            Advance(m);
            m.InFlight--;
            return TimeSpan.FromSeconds(m.Share - ticket.ShareAtStart);
        }
    }

    private void Advance(ModelClock m)
    {
        var now = clock.GetTimestamp();
        if (m.InFlight > 0) m.Share += (now - m.Last) / (double)clock.TimestampFrequency / m.InFlight;
        m.Last = now;
    }

    /// <summary>A request in flight.</summary>
    public sealed record Ticket(ModelClock Model, double ShareAtStart);

    /// <summary>One model's requests in flight and its cumulative share, in seconds.</summary>
    public sealed class ModelClock
    {
        internal readonly Lock Gate = new();
        internal int InFlight;
        internal long Last;
        internal double Share;
    }
}
