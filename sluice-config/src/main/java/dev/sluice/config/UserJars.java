package dev.sluice.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A folder of user jars (transforms or workflows), each behind a class loader of its own that looks in
 * its jar first: two jars may bundle different versions of one library without either seeing the other's.
 * Only the user APIs, Jackson (its types are in the APIs), SLF4J and the JDK come from Sluice, so that
 * user code and Sluice agree on what a {@code Record} or a {@code WorkflowStep} is.
 *
 * <p>A class is looked up in the jar its config names, else in the one jar that holds it, else on
 * Sluice's own classpath; every failure names what asked for it, the class and the jar.
 */
public final class UserJars implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UserJars.class);
    private static final String[] SHARED = {
        "java.",
        "javax.",
        "jdk.",
        "sun.",
        "com.sun.",
        "dev.sluice.transforms.",
        "dev.sluice.workflows.",
        "com.fasterxml.jackson.",
        "org.slf4j."
    };

    private final Path dir;
    private final String dirKey;
    private final ClassLoader classpath;
    private final Map<String, JarLoader> jars = new TreeMap<>();
    private final Map<String, List<String>> jarsByClass = new HashMap<>();

    private UserJars(Path dir, String dirKey, ClassLoader classpath) {
        this.dir = dir;
        this.dirKey = dirKey;
        this.classpath = classpath;
    }

    /**
     * Opens every jar of {@code dir} (a missing folder means no jars); classes not in a jar come from {@code classpath}.
     *
     * @param dirKey the config key that names the folder, for messages (e.g. {@code transforms.dir})
     */
    public static UserJars open(Path dir, String dirKey, ClassLoader classpath) {
        UserJars result = new UserJars(dir, dirKey, classpath);
        if (dir == null || !Files.isDirectory(dir)) {
            return result;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path jar : files.filter(f -> f.getFileName().toString().endsWith(".jar"))
                    .sorted()
                    .toList()) {
                result.add(jar);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the folder " + dir + " (" + dirKey + ")", e);
        }
        if (!result.jars.isEmpty()) {
            log.info("jars in {}: {}", dir, result.jars.keySet());
        }
        return result;
    }

    /** A jar named in the config is a plain file name of its folder ({@code dirKey}), or absent. */
    static void requireJarName(String jar, String key, String dirKey, String example) {
        if (jar != null && (jar.isBlank() || jar.contains("/") || jar.contains("\\") || !jar.endsWith(".jar"))) {
            throw new ConfigException(
                    key, "'" + jar + "' is not a jar file name in " + dirKey + " (write e.g. " + example + ")");
        }
    }

    /** Only the classpath, no folder of jars. */
    public static UserJars classpathOnly(ClassLoader classpath) {
        return new UserJars(null, "", classpath);
    }

    private void add(Path jar) throws IOException {
        String name = jar.getFileName().toString();
        try (JarFile file = new JarFile(jar.toFile())) {
            for (Enumeration<JarEntry> entries = file.entries(); entries.hasMoreElements(); ) {
                String entry = entries.nextElement().getName();
                if (entry.endsWith(".class") && !entry.contains("-") && !entry.startsWith("META-INF/")) {
                    String className = entry.substring(0, entry.length() - ".class".length())
                            .replace('/', '.');
                    jarsByClass
                            .computeIfAbsent(className, c -> new ArrayList<>())
                            .add(name);
                }
            }
        }
        jars.put(name, new JarLoader(name, jar.toUri().toURL(), classpath));
    }

    /**
     * The class {@code className}, from {@code jar} when given, or a {@link ConfigException} that says exactly
     * what is wrong.
     *
     * @param at  what asked for it, e.g. "pipeline events, transform 'enrich' (class ..., jar ...)"
     * @param key the config key of the asker, e.g. {@code pipelines[events].transforms[enrich]}
     */
    public Class<?> load(String className, String jar, String at, String key) {
        ClassLoader loader;
        if (jar != null) {
            JarLoader named = jars.get(jar);
            if (named == null) {
                throw new ConfigException(key + ".jar", at + ": no jar " + jar + " in " + describeDir());
            }
            loader = named;
        } else {
            List<String> holders = jarsByClass.getOrDefault(className, List.of());
            if (holders.size() > 1) {
                throw new ConfigException(
                        key + ".jar", at + ": the class is in " + holders + "; say which with jar: <name>");
            }
            loader = holders.isEmpty() ? classpath : jars.get(holders.get(0));
        }
        try {
            return Class.forName(className, true, loader);
        } catch (ClassNotFoundException e) {
            String where = jar != null ? "not in " + jar : "not in " + describeDir() + " nor on the classpath";
            throw new ConfigException(key + ".class", at + ": class " + where);
        } catch (LinkageError e) {
            throw new ConfigException(key + ".class", at + ": cannot be loaded: " + e);
        }
    }

    private String describeDir() {
        return dir == null
                ? "any jar folder"
                : dirKey + " " + dir + (jars.isEmpty() ? " (no jars)" : " " + jars.keySet());
    }

    @Override
    public void close() {
        for (JarLoader jar : jars.values()) {
            try {
                jar.close();
            } catch (IOException e) {
                log.debug("closing the class loader of {} failed", jar.name, e);
            }
        }
    }

    /** Looks in its own jar first, except for what Sluice and the transform must share. */
    private static final class JarLoader extends URLClassLoader {
        static {
            registerAsParallelCapable();
        }

        final String name;

        JarLoader(String name, URL jar, ClassLoader parent) throws MalformedURLException {
            super("user-jar:" + name, new URL[] {jar}, parent);
            this.name = name;
        }

        @Override
        protected Class<?> loadClass(String className, boolean resolve) throws ClassNotFoundException {
            for (String prefix : SHARED) {
                if (className.startsWith(prefix)) {
                    return super.loadClass(className, resolve);
                }
            }
            synchronized (getClassLoadingLock(className)) {
                Class<?> loaded = findLoadedClass(className);
                if (loaded == null) {
                    try {
                        loaded = findClass(className);
                    } catch (ClassNotFoundException notInJar) {
                        return super.loadClass(className, resolve);
                    }
                }
                if (resolve) {
                    resolveClass(loaded);
                }
                return loaded;
            }
        }

        @Override
        public URL getResource(String resource) {
            URL own = findResource(resource);
            return own != null ? own : super.getResource(resource);
        }
    }
}
