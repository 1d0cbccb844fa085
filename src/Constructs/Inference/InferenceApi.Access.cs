using System.Text.RegularExpressions;
using AwsModelPlatform.Constructs.Access;
using AwsModelPlatform.Constructs.Api;

namespace AwsModelPlatform.Constructs.Inference;

// Governed access (issue 15): the TeamAccess whose limits, budgets and usage the model routes count in.
public sealed partial class InferenceApi
{
    /// <summary>The <see cref="Access.TeamAccess"/> whose limits the model routes enforce, or null when the API has none.</summary>
    public TeamAccess? TeamAccess { get; private set; }

    /// <summary>The team budget alarms (80 % and 100 %), or null without <see cref="TeamAccess"/>.</summary>
    public TeamBudgetAlarms? BudgetAlarms { get; private set; }

    // An IAM role or user ARN (any partition), or a Cognito group.
    private static readonly Regex CallerForm = new(@"^(arn:aws[a-z-]*:iam::\d{12}:(role|user)/[\w+=,.@/-]{1,512}|cognito-group:[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128})$", RegexOptions.CultureInvariant);

    /// <summary>
    /// The API's team access: the API-key authorization's, else <see cref="InferenceApiProps.TeamAccess"/>; checked with
    /// the caller mappings before any resource exists.
    /// </summary>
    private TeamAccess? ResolveTeamAccess(InferenceApiProps props)
    {
        var keys = (props.Authorization as ApiAuthorization.ApiKeyAuthorization)?.Access;
        Check.That(keys is null || props.TeamAccess is null || ReferenceEquals(keys, props.TeamAccess),
            "InferenceApiProps.TeamAccess names another TeamAccess than ApiAuthorization.ApiKeys: an API counts in one access table. Leave TeamAccess unset in key mode, or name the same one.");
        var access = keys ?? props.TeamAccess;
        var callers = props.CallerTeams ?? new Dictionary<string, string>();
        Check.That(access is not null || callers.Count == 0,
            $"InferenceApiProps.CallerTeams maps {callers.Count} caller(s) to teams, but the API has no TeamAccess: set InferenceApiProps.TeamAccess, whose table holds the teams' limits.");
        Check.That(props.Authorization is not ApiAuthorization.ApiKeyAuthorization || callers.Count == 0,
            "InferenceApiProps.CallerTeams is for IAM and Cognito callers; in key mode each key carries its team. Remove CallerTeams, or use IAM or Cognito authorization.");
        foreach (var (caller, team) in callers)
        {
            Check.That(Token.IsUnresolved(caller) || CallerForm.IsMatch(caller),
                $"InferenceApiProps.CallerTeams: caller '{caller}' is not accepted: give an IAM role or user ARN (arn:aws:iam::123456789012:role/name) or a Cognito group as cognito-group:name.");
            Check.That(!string.IsNullOrWhiteSpace(team) && team.Length <= 64,
                $"InferenceApiProps.CallerTeams: caller '{caller}' maps to team '{team}'; a team is 1 to 64 characters, the name its limits are set under (PUT /v1/admin/teams/{{team}}).");
        }
        TeamAccess = access;
        return access;
    }

    /// <summary>The model's hourly GPU price for dollar accounting: the endpoint's, when the library built it and the price table prices it.</summary>
    private static double? HourlyUsdOf(InferenceModel model) => (model.Endpoint as GpuModelEndpoint)?.HourlyUsd();

    /// <summary>The team grants of both functions, the admin routes and the budget alarms.</summary>
    private void WireTeamAccess(TeamAccess access)
    {
        access.GrantTeamUsage(BufferedHandler.Role);
        access.GrantTeamUsage(StreamingHandler.Role);
        RestApi.AddAdminRoutes(access);
        BudgetAlarms = new TeamBudgetAlarms(this, "TeamBudgetAlarms", Platform, RestApi.ApiName);
    }
}
