package dev.sluice.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.transforms.Record;
import dev.sluice.transforms.TransformTestDriver;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each example on the test driver: no broker, just the transform. */
class ExamplesTest {

    private static List<String> json(List<Record> records) {
        return records.stream().map(Record::toString).toList();
    }

    @Test
    void dropBotsDropsWhatLooksLikeABot() throws Exception {
        try (TransformTestDriver driver = TransformTestDriver.of(new DropBots())) {
            assertEquals(List.of(), driver.apply("{\"userAgent\":\"Googlebot/2.1\"}"));
            assertEquals(List.of(), driver.apply("{\"userAgent\":\"HeadlessChrome/120\"}"));
            assertEquals(
                    List.of("{\"userAgent\":\"Mozilla/5.0 Firefox/130\"}"),
                    json(driver.apply("{\"userAgent\":\"Mozilla/5.0 Firefox/130\"}")));
            assertEquals(List.of("{\"id\":1}"), json(driver.apply("{\"id\":1}")), "no user agent: kept");
        }
        try (TransformTestDriver driver = TransformTestDriver.of(new DropBots())
                .config(Map.of("field", "client.ua", "markers", List.of("Curl")))) {
            assertEquals(List.of(), driver.apply("{\"client\":{\"ua\":\"curl/8.5\"}}"));
            assertEquals(1, driver.apply("{\"client\":{\"ua\":\"Googlebot\"}}").size());
        }
    }

    @Test
    void redactEmailsHashesTheFieldsItIsGiven() throws Exception {
        try (TransformTestDriver driver = TransformTestDriver.of(new RedactEmails())
                .config(Map.of("fields", List.of("email", "buyer.email"), "salt", "s"))) {
            Record out = driver.apply(
                            "{\"email\":\" Ada@Example.com\",\"buyer\":{\"email\":\"ada@example.com\"},\"name\":\"Ada\"}")
                    .get(0);
            assertTrue(out.getString("email").matches("sha256:[0-9a-f]{64}"), out.toString());
            assertEquals(out.getString("email"), out.getString("buyer.email"), "the same address hashes the same");
            assertEquals("Ada", out.getString("name"));
            assertEquals(List.of("{\"id\":1}"), json(driver.apply("{\"id\":1}")));
        }
        try (TransformTestDriver other =
                        TransformTestDriver.of(new RedactEmails()).config(Map.of("salt", "t"));
                TransformTestDriver same =
                        TransformTestDriver.of(new RedactEmails()).config(Map.of("salt", "s"))) {
            String withT = other.apply("{\"email\":\"ada@example.com\"}").get(0).getString("email");
            String withS = same.apply("{\"email\":\"ada@example.com\"}").get(0).getString("email");
            assertTrue(!withT.equals(withS), "another salt, another hash");
        }
    }

    @Test
    void enrichFromLookupAddsTheRowOrKeepsOrDrops() throws Exception {
        Map<String, Object> config = Map.of("table", "customers", "key", "customerId", "into", "customer");
        try (TransformTestDriver driver = TransformTestDriver.of(new EnrichFromLookup())
                .config(config)
                .table("customers", "c7", "{\"name\":\"Ada\",\"tier\":\"gold\"}")) {
            assertEquals(
                    "gold",
                    driver.apply("{\"id\":\"o1\",\"customerId\":\"c7\"}").get(0).getString("customer.tier"));
            assertEquals(
                    List.of("{\"id\":\"o2\",\"customerId\":\"c8\"}"),
                    json(driver.apply("{\"id\":\"o2\",\"customerId\":\"c8\"}")));
        }
        try (TransformTestDriver driver = TransformTestDriver.of(new EnrichFromLookup())
                .config(Map.of("table", "customers", "key", "customerId", "missing", "drop"))
                .table("customers", "c7", "{}")) {
            assertEquals(List.of(), driver.apply("{\"customerId\":\"c8\"}"));
        }
        try (TransformTestDriver driver =
                TransformTestDriver.of(new EnrichFromLookup()).config(Map.of("table", "t"))) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> driver.apply("{}"))
                    .getMessage()
                    .contains("config.key"));
        }
    }

    @Test
    void explodeItemsMakesOneRecordPerItem() throws Exception {
        try (TransformTestDriver driver = TransformTestDriver.of(new ExplodeItems())) {
            assertEquals(
                    List.of(
                            "{\"order\":\"o1\",\"item\":{\"sku\":\"a\",\"qty\":1},\"index\":0}",
                            "{\"order\":\"o1\",\"item\":{\"sku\":\"b\",\"qty\":2},\"index\":1}"),
                    json(driver.apply(
                            "{\"order\":\"o1\",\"items\":[{\"sku\":\"a\",\"qty\":1},{\"sku\":\"b\",\"qty\":2}]}")));
            assertEquals(List.of(), driver.apply("{\"order\":\"o2\",\"items\":[]}"));
            assertEquals(List.of(), driver.apply("{\"order\":\"o3\"}"));
        }
    }
}
