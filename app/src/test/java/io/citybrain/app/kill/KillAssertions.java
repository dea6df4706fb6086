package io.citybrain.app.kill;

import io.citybrain.app.kill.KillBench.RunResult;
import java.util.List;
import org.assertj.core.api.SoftAssertions;

/**
 * What every kill run must show against the uninterrupted run of the same input: nothing lost or
 * stored twice, every closed 1 min window equal to the SQL recomputation, the accounting identity
 * per district, and the same alerts, incidents and pictures (every window, the ones open at a kill
 * included).
 */
final class KillAssertions {
  private KillAssertions() {}

  static void assertSurvived(RunResult reference, RunResult killed, long readings, int kills) {
    System.out.println(figures(killed, reference));
    SoftAssertions soft = new SoftAssertions();
    for (RunResult run : List.of(reference, killed)) {
      Exactness e = run.exactness();
      soft.assertThat(run.published())
          .as(run.name() + ": messages published")
          .isGreaterThanOrEqualTo(readings);
      soft.assertThat(run.publishErrors())
          .as(run.name() + ": publishes the broker refused")
          .isZero();
      soft.assertThat(e.distinctIdentities())
          .as(run.name() + ": distinct (device, seq) stored")
          .isEqualTo(run.published());
      soft.assertThat(e.lost()).as(run.name() + ": lost (device, seq)").isZero();
      soft.assertThat(e.duplicated()).as(run.name() + ": (device, seq) stored twice").isZero();
      soft.assertThat(e.windowsCompared())
          .as(run.name() + ": closed 1 min windows compared")
          .isGreaterThan(100);
      soft.assertThat(e.windowMismatches())
          .as(run.name() + ": windows unlike their recomputation")
          .isEmpty();
      soft.assertThat(e.accountingMismatches())
          .as(run.name() + ": districts where received <> stored + duplicate + late + rejected")
          .isEmpty();
      soft.assertThat(run.outcome().inconsistentPictures())
          .as(
              run.name()
                  + ": windows published in differing versions ("
                  + run.lateness().summary()
                  + ")")
          .isEmpty();
    }
    // The uninterrupted run is the reference only if no message outran the out-of-orderness bound:
    // a late message cannot change a picture that is out, so such pictures depend on timing.
    soft.assertThat(reference.lateness())
        .as(
            reference.name()
                + ": new items behind the watermark and window results after their picture"
                + " (the input outran the out-of-orderness bound)")
        .isEqualTo(new KillBench.Lateness(0, 0));
    soft.assertThat(killed.kills()).as("kills survived").hasSizeGreaterThanOrEqualTo(kills);
    RunOutcome ref = reference.outcome();
    RunOutcome got = killed.outcome();
    soft.assertThat(ref.storedAlerts()).as("the input raises alerts").isNotEmpty();
    soft.assertThat(ref.storedIncidents()).as("the input makes incidents").isNotEmpty();
    soft.assertThat(killed.exactness().late())
        .as("late readings, as the uninterrupted run")
        .isEqualTo(reference.exactness().late());
    soft.assertThat(got.storedAlerts()).as("stored alerts").isEqualTo(ref.storedAlerts());
    soft.assertThat(got.publishedAlerts()).as("published alerts").isEqualTo(ref.publishedAlerts());
    soft.assertThat(got.storedIncidents()).as("stored incidents").isEqualTo(ref.storedIncidents());
    soft.assertThat(got.publishedIncidents())
        .as("published incidents")
        .isEqualTo(ref.publishedIncidents());
    soft.assertThat(got.storedMetrics()).as("stored 1 min metrics").isEqualTo(ref.storedMetrics());
    soft.assertThat(got.storedPictures())
        .as("stored latest pictures")
        .isEqualTo(ref.storedPictures());
    soft.assertThat(ref.pictures()).as("pictures of the uninterrupted run").hasSizeGreaterThan(100);
    List<String> differing = got.pictureDifferences(ref);
    soft.assertThat(differing)
        .as(
            "pictures (district or city @ window end) unlike the uninterrupted run's, of "
                + ref.pictures().size()
                + (differing.isEmpty()
                    ? ""
                    : "; uninterrupted run: "
                        + reference.lateness().summary()
                        + "; first: "
                        + firstDifference(differing.get(0), ref, got)))
        .isEmpty();
    soft.assertAll();
  }

  /** The soak's figures, one line the script picks up. */
  static String figures(RunResult killed, RunResult reference) {
    Exactness e = killed.exactness();
    List<String> differing = killed.outcome().pictureDifferences(reference.outcome());
    return String.format(
        "kill-figures: %s kills survived %d, readings %d, lost %d, duplicated %d, window mismatches %d,"
            + " picture mismatches %d of %d, alerts %s, incidents %s; %s",
        killed.name(),
        killed.kills().size(),
        killed.published(),
        e.lost(),
        e.duplicated(),
        e.windowMismatches().size(),
        differing.size(),
        reference.outcome().pictures().size(),
        killed.outcome().storedAlerts().equals(reference.outcome().storedAlerts())
            ? "equal"
            : "DIFFER",
        killed.outcome().storedIncidents().equals(reference.outcome().storedIncidents())
            ? "equal"
            : "DIFFER",
        Recoveries.summary(killed.kills()));
  }

  private static String firstDifference(String key, RunOutcome ref, RunOutcome got) {
    return key + " uninterrupted " + ref.pictures().get(key) + " vs " + got.pictures().get(key);
  }
}
