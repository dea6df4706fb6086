package io.citybrain.seeds;

/** A detection the video-analytics layer reports, and the grid-case category/sub-type it belongs to. */
public record CameraEventType(String id, String nameZh, String nameEn, String gridCase, Boolean createsCase) implements java.io.Serializable {

  public String category() {
    return gridCase.substring(0, gridCase.indexOf('/'));
  }

  public String subtype() {
    return gridCase.substring(gridCase.indexOf('/') + 1);
  }
}
