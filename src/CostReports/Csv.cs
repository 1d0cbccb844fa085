using CsvHelper;

namespace AwsModelPlatform.CostReports;

/// <summary>Reads the CSV files this CLI writes, strictly: the exact header, the same number of fields in every row, well-formed quoting.</summary>
internal static class Csv
{
    private static readonly CsvReaderOptions Strict = new()
    {
        FieldCountMismatch = CsvFieldCountHandling.Throw,
        MalformedData = CsvMalformedDataHandling.Throw,
    };

    /// <summary>The data rows of <paramref name="text"/>, after checking that its first row is exactly <paramref name="header"/>.</summary>
    public static List<string[]> Rows(string text, string header, string file)
    {
        try
        {
            using var reader = CsvReader.Create(new StringReader(text), Strict, leaveOpen: false);
            if (string.Join(',', reader.Headers) != header) throw new CliException($"{file}: the first line must be '{header}'.");
            var rows = new List<string[]>();
            while (reader.Read())
                rows.Add(Enumerable.Range(0, reader.FieldCount).Select(reader.GetString).ToArray());
            return rows;
        }
        catch (CsvFormatException e)
        {
            throw new CliException($"{file}: {e.Message}");
        }
    }
}
