package dev.sluice.workflows.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.cronutils.model.time.ExecutionTime;
import dev.sluice.config.ConfigException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class CronTriggerTest {

    @Test
    void fiveFieldExpressionsTickInUtc() {
        ExecutionTime hourly = CronTrigger.parse("0 * * * *", "k");
        ZonedDateTime at = ZonedDateTime.of(2026, 11, 27, 14, 59, 59, 0, ZoneOffset.UTC);
        assertEquals(
                ZonedDateTime.of(2026, 11, 27, 15, 0, 0, 0, ZoneOffset.UTC),
                hourly.nextExecution(at).orElseThrow());
        ExecutionTime weekdays = CronTrigger.parse("30 9 * * 1-5", "k");
        ZonedDateTime friday = ZonedDateTime.of(2026, 11, 27, 10, 0, 0, 0, ZoneOffset.UTC);
        assertEquals(
                ZonedDateTime.of(2026, 11, 30, 9, 30, 0, 0, ZoneOffset.UTC),
                weekdays.nextExecution(friday).orElseThrow());
    }

    @Test
    void aBadExpressionNamesTheKey() {
        ConfigException e = assertThrows(
                ConfigException.class, () -> CronTrigger.parse("every hour", "workflows[0].trigger.schedule"));
        assertEquals("workflows[0].trigger.schedule", e.key());
        assertTrue(e.getMessage().contains("five-field cron"), e.getMessage());
    }
}
