package io.citybrain.seeds;

import java.io.Serializable;
import java.util.List;

/** A grid-governance case category with its sub-types. */
public record GridCaseCategory(String id, String nameZh, String nameEn, List<Subtype> subtypes)
    implements Serializable {

  public GridCaseCategory {
    subtypes = subtypes == null ? List.of() : List.copyOf(subtypes);
  }

  /** A case sub-type: the department it is dispatched to and its SLA. */
  public record Subtype(String id, String nameEn, String department, Integer slaHours)
      implements Serializable {}
}
