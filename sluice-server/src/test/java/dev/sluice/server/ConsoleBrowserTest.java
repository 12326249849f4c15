package dev.sluice.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The web console in a real browser (Debian's chromium, headless, through its chromedriver), asserting what a
 * person sees: the records count grows after a POST, a replay empties the dead-letter view, pausing an instance
 * changes its badge and an event completes it. Screenshots of each page go to
 * {@code target/console-screenshots/}.
 */
class ConsoleBrowserTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

    @RegisterExtension
    static final StackExtension running = new StackExtension("""
                        pipelines:
                          - name: events
                            partitions: 2
                            transforms: [ { label: switchable, class: dev.sluice.server.Switchable } ]
                            sink: { batch: { maxDuration: 1s } }
                        workflows:
                          - name: gate
                            class: dev.sluice.server.TestWorkflows$Gate
                        """);

    private static ChromeDriver browser;

    @BeforeAll
    static void openBrowser() throws Exception {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if ("1".equals(System.getenv("SLUICE_REQUIRE_BROWSER"))) {
            assertTrue(
                    present, "SLUICE_REQUIRE_BROWSER=1 but chromium or chromedriver is missing; .ci/run installs them");
        }
        assumeTrue(present, "chromium is not installed (apt-get install chromium chromium-driver); CI installs it");
        Files.createDirectories(SCREENSHOTS);
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000");
        // The driver named outright: Selenium then neither looks for nor downloads one.
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void theOverviewCountsRecordsAsTheyArrive() throws Exception {
        DevStack stack = running.stack();
        browser.get(stack.httpBaseUrl() + "/");
        String cell = "tr[data-pipeline='events'] .records-in";
        long before = await().atMost(DEADLINE).until(() -> count(cell), n -> n >= 0);
        TestStack.postAcked(stack, "events", List.of("{\"id\":\"o1\"}", "{\"id\":\"o2\"}", "{\"id\":\"o3\"}"));
        // The page refreshes by itself: no reload.
        await().atMost(DEADLINE).until(() -> count(cell) >= before + 3);
        assertTrue(text("#workflow-table tr[data-workflow='gate'] td").contains("gate"));
        assertFalse(browser.findElement(By.id("token-form")).isDisplayed(), "no admin.tokens: no token asked for");
        assertEquals(
                List.of("records/s in, out · 15 min", "backlog · 15 min", "freshness, s · 15 min"),
                browser.findElements(By.cssSelector("tr[data-pipeline='events'] [data-chart] .label")).stream()
                        .map(WebElement::getText)
                        .toList());
        screenshot("overview");
    }

    @Test
    void aReplayEmptiesTheDeadLetterView() throws Exception {
        DevStack stack = running.stack();
        Switchable.BROKEN = true;
        TestStack.postAcked(stack, "events", List.of("{\"id\":\"d1\",\"bad\":1}", "{\"id\":\"d2\",\"bad\":1}"));
        browser.get(stack.httpBaseUrl() + "/#/pipelines/events");
        await().atMost(DEADLINE)
                .until(() ->
                        browser.findElements(By.cssSelector("tr.dead-letter")).size() == 2);
        assertTrue(text("tr.dead-letter").contains("switchable"), "each dead letter shows its stage and transform");
        screenshot("pipeline-with-dead-letters");

        Switchable.BROKEN = false;
        browser.findElement(By.id("replay")).click();
        await().atMost(DEADLINE).until(() -> text("#replay-result").startsWith("replayed 2"));
        await().atMost(DEADLINE)
                .until(() -> !browser.findElements(By.id("dlq-empty")).isEmpty());
        await().atMost(DEADLINE)
                .until(() -> !browser.findElements(By.cssSelector("#objects tbody tr"))
                        .isEmpty());
        screenshot("pipeline-after-replay");
    }

    @Test
    void pausingAnInstanceChangesItsBadgeAndAnEventCompletesIt() throws Exception {
        DevStack stack = running.stack();
        WorkflowsClient api = new WorkflowsClient(stack, "sluice", null);
        assertEquals(
                200, api.post("/gate/instances", "{\"instance_id\":\"b-1\"}").status());
        browser.get(stack.httpBaseUrl() + "/#/workflows/gate/b-1");
        await().atMost(DEADLINE).until(() -> badge().equals("waiting"));

        browser.findElement(By.id("pause")).click();
        await().atMost(DEADLINE).until(() -> badge().equals("paused"));
        screenshot("instance-paused");
        browser.findElement(By.id("resume")).click();
        await().atMost(DEADLINE).until(() -> !badge().equals("paused"));

        browser.findElement(By.id("event-type")).sendKeys("go");
        browser.findElement(By.id("event-payload")).sendKeys("{\"value\":\"opened\"}");
        browser.findElement(By.id("send-event")).click();
        await().atMost(DEADLINE).until(() -> badge().equals("complete"));
        await().atMost(DEADLINE)
                .until(() -> browser.findElements(By.cssSelector("#steps tr[data-step]"))
                                .size()
                        >= 2);
        assertTrue(text("#detail").contains("\"opened\""), text("#detail"));
        screenshot("instance-complete");

        browser.get(stack.httpBaseUrl() + "/#/workflows/gate");
        await().atMost(DEADLINE)
                .until(() -> text("#instances tr[data-instance='b-1'] .badge").equals("complete"));
    }

    private static String badge() {
        return text("#status .badge");
    }

    /** An element's visible text, or "" while it is not on the page (the console redraws every two seconds). */
    private static String text(String css) {
        try {
            WebElement element = browser.findElement(By.cssSelector(css));
            return element.getText();
        } catch (NoSuchElementException | StaleElementReferenceException e) {
            return "";
        }
    }

    /** The number an element shows, or -1 while it shows none (it is being redrawn, or not drawn yet). */
    private static long count(String css) {
        String digits = text(css).replace(",", "");
        return digits.matches("[0-9]+") ? Long.parseLong(digits) : -1;
    }

    private static void screenshot(String name) throws Exception {
        Files.write(SCREENSHOTS.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
    }
}
