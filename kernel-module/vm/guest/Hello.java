// Smallest proof that the guest JRE works: prints one line and exits 0.
public final class Hello {
    public static void main(String[] args) {
        System.out.println("hello from java " + System.getProperty("java.version")
                + " on " + System.getProperty("os.name") + " " + System.getProperty("os.version"));
    }
}
