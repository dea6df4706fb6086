package io.citybrain.access;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * An installation's TLS files: its own CA ({@code ca/ca.crt}, {@code ca/ca.key}, a folder of its
 * own so the key can be kept apart, made once and kept) and the broker's certificate, signed by it
 * for the given host names and addresses (rewritten on every run, so a new name takes effect).
 */
public final class BrokerTls {
  public static final String CA_FOLDER = "ca";
  public static final String CA_CERT = "ca.crt";
  public static final String CA_KEY = "ca.key";
  public static final String BROKER_CERT = "broker.crt";
  public static final String BROKER_KEY = "broker.key";

  /** The names a broker certificate gets when none are given. */
  public static final List<String> DEFAULT_NAMES = List.of("localhost", "127.0.0.1");

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern HOST =
      Pattern.compile(
          "(?=.{1,253}$)[A-Za-z0-9*]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");
  private static final Duration CA_LIFETIME = Duration.ofDays(3650);
  private static final Duration BROKER_LIFETIME = Duration.ofDays(825);
  private static final SecureRandom RANDOM = new SecureRandom();

  private BrokerTls() {}

  /**
   * Makes the CA under {@code installation/ca/} when missing and writes the broker's certificate,
   * key and a copy of the CA certificate into {@code brokerFolder}; returns the files written.
   */
  public static List<Path> write(Path installation, Path brokerFolder, List<String> names) {
    List<String> sans = names.isEmpty() ? DEFAULT_NAMES : names;
    for (String n : sans) {
      check(n);
    }
    try {
      Path caDir = installation.resolve(CA_FOLDER);
      Path caCert = caDir.resolve(CA_CERT);
      Path caKey = caDir.resolve(CA_KEY);
      List<Path> written = new ArrayList<>();
      if (!Files.exists(caCert)) {
        KeyPair ca = keyPair();
        X509Certificate cert = caCertificate(ca);
        SecretFiles.write(caKey, pem(ca.getPrivate()));
        writePublic(caCert, pem(cert));
        written.add(caCert);
        written.add(caKey);
      }
      X509Certificate ca = readCertificate(caCert);
      PrivateKey caPrivate = readKey(caKey);
      KeyPair broker = keyPair();
      X509Certificate cert = brokerCertificate(broker, ca, caPrivate, sans);
      replace(brokerFolder.resolve(BROKER_KEY), pem(broker.getPrivate()), "rw-------");
      replace(brokerFolder.resolve(BROKER_CERT), pem(cert), "rw-r--r--");
      replace(brokerFolder.resolve(CA_CERT), Files.readString(caCert), "rw-r--r--");
      written.add(brokerFolder.resolve(BROKER_CERT));
      written.add(brokerFolder.resolve(BROKER_KEY));
      written.add(brokerFolder.resolve(CA_CERT));
      return written;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the TLS files", e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot make the TLS certificates: " + e.getMessage(), e);
    }
  }

  /** A {@code --tls-name}: a host name (or {@code *.domain}) or an IPv4 address. */
  public static void check(String name) {
    if (name == null || !(IPV4.matcher(name).matches() || HOST.matcher(name).matches())) {
      throw new io.citybrain.settings.InvalidSettingException(
          "TLS name", "must be a host name or an IPv4 address, was '" + name + "'");
    }
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return g.generateKeyPair();
  }

  private static X509Certificate caCertificate(KeyPair ca)
      throws GeneralSecurityException, OperatorCreationException, IOException {
    X500Name name = new X500Name("CN=CityBrain installation CA " + serial().toString(16));
    Instant now = Instant.now();
    X509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            name,
            serial(),
            Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(CA_LIFETIME)),
            name,
            ca.getPublic());
    JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    b.addExtension(
        Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(ca.getPublic()));
    return sign(b, ca.getPrivate());
  }

  private static X509Certificate brokerCertificate(
      KeyPair broker, X509Certificate ca, PrivateKey caKey, List<String> names)
      throws GeneralSecurityException, OperatorCreationException, IOException {
    Instant now = Instant.now();
    X509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            ca,
            serial(),
            Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(BROKER_LIFETIME)),
            new X500Name("CN=" + names.get(0)),
            broker.getPublic());
    GeneralName[] sans = new GeneralName[names.size()];
    for (int i = 0; i < names.size(); i++) {
      String n = names.get(i);
      sans[i] =
          IPV4.matcher(n).matches()
              ? new GeneralName(
                  GeneralName.iPAddress,
                  new org.bouncycastle.asn1.DEROctetString(InetAddress.getByName(n).getAddress()))
              : new GeneralName(GeneralName.dNSName, n);
    }
    JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(
        Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
    b.addExtension(
        Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
    b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
    return sign(b, caKey);
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key)
      throws GeneralSecurityException, OperatorCreationException {
    return new JcaX509CertificateConverter()
        .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
  }

  private static BigInteger serial() {
    return new BigInteger(64, RANDOM).abs().add(BigInteger.ONE);
  }

  /**
   * A private key as a PKCS#8 PEM ({@code BEGIN PRIVATE KEY}), which OpenSSL and Java both read.
   */
  private static String pem(PrivateKey key) {
    return "-----BEGIN PRIVATE KEY-----\n"
        + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(key.getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
  }

  private static String pem(X509Certificate o) throws IOException {
    StringWriter s = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(s)) {
      w.writeObject(o);
    }
    return s.toString();
  }

  private static X509Certificate readCertificate(Path file)
      throws IOException, GeneralSecurityException {
    try (var in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  /** The CA's key, a PKCS#8 PEM as {@link #pem(PrivateKey)} writes it. */
  private static PrivateKey readKey(Path file) throws GeneralSecurityException {
    String text = SecretFiles.read(file, "TLS CA key");
    String body = text.replaceAll("-----(BEGIN|END) [A-Z ]+-----", "").replaceAll("\\s", "");
    return KeyFactory.getInstance("EC")
        .generatePrivate(new PKCS8EncodedKeySpec(java.util.Base64.getDecoder().decode(body)));
  }

  private static void writePublic(Path file, String text) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, text, StandardCharsets.US_ASCII);
  }

  /** Replaces a file atomically with these permissions. */
  private static void replace(Path file, String text, String perms) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp =
        Files.createTempFile(
            dir,
            ".tls-",
            ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tmp, text, StandardCharsets.US_ASCII);
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(perms));
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
