using System.Text.Json.Serialization;

namespace Capstan.Aws.Catalog;

[JsonSerializable(typeof(List<CatalogEntry>))]
[JsonSourceGenerationOptions(ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip)]
internal sealed partial class CatalogJsonContext : JsonSerializerContext;
