package io.citybrain.simulators;

/** Entry point of the simulator's own jar: {@code java -jar citybrain-sim.jar --help}. */
public final class SimMain {
  private SimMain() {}

  public static void main(String[] args) {
    System.exit(SimCommand.execute(args));
  }
}
