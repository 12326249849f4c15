/**
 * The names Sluice's processes agree on over Kafka, in one place: topics, group, application and
 * transactional ids, record headers and their values. Every role uses these; nothing retypes them.
 * Changing one is a breaking change for a running deployment (its topics, offsets and state).
 */
package dev.sluice.wire;
