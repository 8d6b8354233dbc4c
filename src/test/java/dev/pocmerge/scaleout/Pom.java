package dev.pocmerge.scaleout;

import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.w3c.dom.Document;

/** Reads the project's pom.xml, the one source of the versions and the main class the deployment files must use. */
final class Pom {
    private static Document doc;

    private Pom() {}

    static String property(String name) {
        return text("/project/properties/" + name);
    }

    /** The jar manifest's Main-Class: what `java -jar pocmerge.jar` starts. */
    static String mainClass() {
        return text("//plugin[artifactId='maven-jar-plugin']/configuration/archive/manifest/mainClass");
    }

    private static synchronized String text(String xpath) {
        try {
            if (doc == null) {
                doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
            }
            String s = ((String) XPathFactory.newInstance().newXPath().evaluate(xpath, doc, XPathConstants.STRING))
                    .strip();
            if (s.isEmpty()) {
                throw new AssertionError("pom.xml has nothing at " + xpath);
            }
            return s;
        } catch (Exception e) {
            throw new AssertionError("cannot read pom.xml at " + xpath + ": " + e, e);
        }
    }
}
