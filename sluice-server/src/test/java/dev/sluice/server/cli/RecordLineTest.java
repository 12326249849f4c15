package dev.sluice.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class RecordLineTest {
    @Test
    void aRecordIsOneLineWithItsReasonAndNoControlCharacters() throws Exception {
        String json = """
                {"topic":"events.dlq","partition":1,"offset":17,"timestamp":0,
                 "headers":{"sluice.error.stage":"transform","sluice.error.transform":"redact","sluice.error.message":"no\\nemail"},
                 "value":"\\u001b[2Jgone"}""";
        assertEquals(
                "1970-01-01T00:00:00Z  events.dlq 1@17  transform redact: no\\u000aemail  \\u001b[2Jgone",
                RecordLine.of(new ObjectMapper().readTree(json)));
    }
}
