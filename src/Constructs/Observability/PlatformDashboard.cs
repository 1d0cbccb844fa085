using Amazon.CDK.AWS.CloudWatch;

namespace AwsModelPlatform.Constructs.Observability;

/// <summary>The platform's CloudWatch dashboard, where every construct adds its widgets.</summary>
public interface IPlatformDashboard
{
    /// <summary>
    /// Adds a titled row of widgets for <paramref name="owner"/>. An owner in another stack than the platform gets
    /// the platform's dashboard of its own stack instead: widgets name their metrics' resources, and a reference
    /// from the platform's stack to a workload stack would make the two depend on each other.
    /// </summary>
    void AddSection(IConstruct owner, string title, params IWidget[] widgets);
}

/// <summary>One CloudWatch dashboard per platform (and per other stack its constructs live in); sections are added by those constructs.</summary>
public sealed class PlatformDashboard : Construct, IPlatformDashboard
{
    private readonly string _projectName;
    private readonly List<Dashboard> _dashboards = new();

    /// <summary>Every dashboard of the platform: the one in its stack, then one per other stack its constructs added sections from.</summary>
    public IReadOnlyList<Dashboard> Dashboards => _dashboards;

    /// <summary>The dashboard in the platform's stack.</summary>
    public Dashboard Dashboard { get; }

    /// <summary>Creates the dashboard with a header naming the project.</summary>
    public PlatformDashboard(Construct scope, string id, string projectName) : base(scope, id)
    {
        _projectName = projectName;
        Dashboard = Create(this, "Dashboard");
    }

    /// <inheritdoc />
    public void AddSection(IConstruct owner, string title, params IWidget[] widgets)
    {
        var dashboard = DashboardFor(Stack.Of(owner));
        dashboard.AddWidgets(new TextWidget(new TextWidgetProps { Markdown = $"## {title}", Width = 24, Height = 1 }));
        dashboard.AddWidgets(widgets);
    }

    private Dashboard DashboardFor(Stack stack)
    {
        if (stack == Stack.Of(this)) return Dashboard;
        var id = "PlatformDashboard" + Names.UniqueId(this);
        return stack.Node.TryFindChild(id) as Dashboard ?? Create(stack, id);
    }

    private Dashboard Create(Construct scope, string id)
    {
        var dashboard = new Dashboard(scope, id, new DashboardProps { DefaultInterval = Duration.Hours(6) });
        _dashboards.Add(dashboard);
        dashboard.AddWidgets(new TextWidget(new TextWidgetProps
        {
            Markdown = $"# {_projectName}\nAlarms go to the platform's alarm topic; each section below belongs to one construct.",
            Width = 24,
            Height = 2,
        }));
        return dashboard;
    }
}
