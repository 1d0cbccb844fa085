using Amazon.CDK.AWS.CloudWatch;
using Constructs;

namespace AwsModelPlatform.Constructs.Observability;

/// <summary>The platform's CloudWatch dashboard, where every construct adds its widgets.</summary>
public interface IPlatformDashboard
{
    /// <summary>Adds a titled row of widgets.</summary>
    void AddSection(string title, params IWidget[] widgets);
}

/// <summary>One CloudWatch dashboard per platform; sections are added by the constructs that run on it.</summary>
public sealed class PlatformDashboard : Construct, IPlatformDashboard
{
    /// <summary>The dashboard.</summary>
    public Dashboard Dashboard { get; }

    /// <summary>Creates the dashboard with a header naming the project.</summary>
    public PlatformDashboard(Construct scope, string id, string projectName) : base(scope, id)
    {
        Dashboard = new Dashboard(this, "Dashboard", new DashboardProps
        {
            DefaultInterval = Amazon.CDK.Duration.Hours(6),
        });
        Dashboard.AddWidgets(new TextWidget(new TextWidgetProps
        {
            Markdown = $"# {projectName}\nAlarms go to the platform's alarm topic; each section below belongs to one construct.",
            Width = 24,
            Height = 2,
        }));
    }

    /// <inheritdoc />
    public void AddSection(string title, params IWidget[] widgets)
    {
        Dashboard.AddWidgets(new TextWidget(new TextWidgetProps { Markdown = $"## {title}", Width = 24, Height = 1 }));
        Dashboard.AddWidgets(widgets);
    }
}
