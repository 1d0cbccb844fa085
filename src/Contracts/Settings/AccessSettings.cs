namespace AwsModelPlatform.Contracts;

/// <summary>
/// <c>Access:*</c>: where API keys, team limits and usage are kept (<see cref="AccessLayout"/>), for the authorizer and the
/// admin routes. The handler binds it; the constructs write what differs from the defaults.
/// </summary>
/// <remarks>Properties have setters, not <c>init</c>: the configuration binder's source generator binds no init-only property.</remarks>
internal sealed record AccessSettings
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Access";

    /// <summary>The access table's name. Required by the authorizer and the admin routes.</summary>
    public string? TableName { get; set; }

    /// <summary>The KMS HMAC key (<c>HMAC_256</c>) that API keys are hashed with. Required by the authorizer and the admin routes.</summary>
    public string? HmacKeyId { get; set; }

    /// <summary>
    /// How long the authorizer keeps a checked key in memory, in seconds: for APIs whose gateway cache is off (those that
    /// accept <c>x-api-key</c>); a revocation takes effect within it. 0: every request is checked against the table.
    /// </summary>
    public int KeyCacheSeconds { get; set; }

    /// <summary>How long a rotated key keeps working beside its successor when the rotation names no overlap, in seconds.</summary>
    public int DefaultRotationOverlapSeconds { get; set; } = 24 * 3600;

    /// <summary>
    /// The teams of IAM and Cognito callers (API-key callers carry their key's team): entry <c>i</c> maps
    /// <c>Access:CallerTeams:i:Caller</c> to <c>Access:CallerTeams:i:Team</c>. See docs/access.md for the caller forms.
    /// </summary>
    public List<CallerTeam> CallerTeams { get; set; } = [];
}

/// <summary>One caller-to-team mapping of <see cref="AccessSettings.CallerTeams"/>.</summary>
internal sealed record CallerTeam
{
    /// <summary>The caller: an IAM role or user ARN, or a Cognito group as <c>cognito-group:name</c>.</summary>
    public string? Caller { get; set; }

    /// <summary>The team whose limits and usage the caller's requests count in.</summary>
    public string? Team { get; set; }
}
