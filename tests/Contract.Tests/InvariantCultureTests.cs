extern alias handler;
using System.Globalization;
using PriceTable = handler::AwsModelPlatform.Contracts.PriceTable;

namespace AwsModelPlatform.Contract.Tests;

/// <summary>
/// The contract runs inside the user's CDK app, under the user's culture: what it writes is the same in every culture.
/// The analyzers (CA1304, CA1305, CA1309, CA1310, CA1311 in .editorconfig) hold src/Contracts to explicit cultures;
/// interpolated strings they do not see are checked here.
/// </summary>
public sealed class InvariantCultureTests
{
    [Fact]
    public void A_price_table_error_writes_its_number_in_the_invariant_culture()
    {
        const string json = """{"version":"1","currency":"USD","defaultRegion":"r","assumptions":{"ec2.spotDiscount":{"value":1.5,"source":"s","date":"2025-01-01"}},"regions":{"r":{}}}""";
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo("de-DE"); // decimal comma
        try
        {
            var e = Assert.Throws<FormatException>(() => PriceTable.Parse(json));
            Assert.Contains("spotDiscount = 1.5 must be", e.Message);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }
}
