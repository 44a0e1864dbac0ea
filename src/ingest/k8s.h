/* k8s.h - internals of the Kubernetes reader (src/ingest/k8s*.c), shared with its tests and
 * with the engine's post-ingest step. Not installed.
 *
 * Contract: every function here is a pure function of its arguments except
 * fl__pod_nodes_resolve, which fills in the node and job of pod events in the engine's event
 * blocks. Strings returned are views into the message given; nothing allocates except
 * fl__pod_nodes_resolve (scratch arrays, freed before it returns).
 */
#ifndef FAULTLINE_INGEST_K8S_H
#define FAULTLINE_INGEST_K8S_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "faultline/str.h"

struct fl_engine;
struct fl_ev_pod_event;

/* A Kubernetes resource.Quantity (k8s.io/apimachinery/pkg/api/resource): sign, digits with an
 * optional fraction, then a suffix: binary Ki Mi Gi Ti Pi Ei, decimal n u m "" k M G T P E, or an
 * exponent e<int> / E<int>. *out gets the value at decimal scale 10^-scale, rounded up away from
 * zero as Kubernetes does: scale 0 is Value() ("100m" -> 1), scale 3 MilliValue(). Precision:
 * 19 significant digits. Binary quantities past 2^63-1 are capped there (as Kubernetes caps
 * them). Returns 0, FL_EPARSE (not a quantity) or FL_ERANGE (does not fit an int64). */
int fl__k8s_quantity(struct fl_str s, int scale, int64_t *out);

/* What a kubelet or device-manager message says, in whole units of the resource. */
struct fl__k8s_msg {
    struct fl_str resource;  /* "memory", "ephemeral-storage", "pids", "nvidia.com/gpu", ... */
    struct fl_str container; /* the container with the largest usage over its request */
    int64_t threshold, available, usage, request;
    uint8_t known; /* FL_POD_HAS_THRESHOLD | _AVAILABLE | _USAGE | _REQUEST */
};

/* The kubelet's eviction message ("The node was low on resource: memory. Threshold quantity:
 * 100Mi, available: 92104Ki. Container trainer was using 61865984Ki, request is 48Gi, has larger
 * consumption of memory. ", the older "... which exceeds its request of 0." form, pod-level,
 * ephemeral-storage limit and emptyDir forms). Returns 1 when the message had that shape
 * (fields it carried are set), 0 when it did not, FL_EPARSE when a quantity in it is malformed
 * (why gets the reason). */
int fl__k8s_evict_parse(struct fl_str msg, struct fl__k8s_msg *out, char *why, size_t cap);

/* The device manager's admission failure ("... requested number of devices unavailable for
 * nvidia.com/gpu. Requested: 8, Available: 7, which is unexpected", "no healthy devices
 * present; cannot allocate unhealthy devices nvidia.com/gpu"). true when recognized. */
bool fl__k8s_admission_parse(struct fl_str msg, struct fl__k8s_msg *out);

/* Evicted / UnexpectedAdmissionError: the numbers p->message carries, read into p (resource,
 * container, threshold, available, usage, request; the fields it does not carry are left
 * alone). 1 when read, 0 when the message is not of that shape or the reason is another,
 * FL_EPARSE when a quantity in it is malformed (why gets the reason). */
int fl__k8s_pod_message_numbers(struct fl_ev_pod_event *p, char *why, size_t cap);

/* Node named by the message of a pod event whose source names none: Scheduled ("Successfully
 * assigned ns/pod to NODE"), Preempted ("... on node NODE"), NodeControllerEviction ("... from
 * Node NODE"). FL_STR_NULL otherwise. */
struct fl_str fl__k8s_node_from_message(struct fl_str reason, struct fl_str msg);

/* Container named by a kubelet message ("Stopping container X", "Back-off restarting failed
 * container X in pod ..."); FL_STR_NULL otherwise. */
struct fl_str fl__k8s_container_from_message(struct fl_str msg);

/* Post-ingest: a pod_event whose node is unknown takes the node of a pod_event of the same pod
 * that has one (a pods file's spec.nodeName, a kubelet event's source.host): the one with the
 * same pod uid, else the one with the same namespace/name (and no conflicting uid) nearest in
 * time, preferring the latest at or before the event. Then a pod_event without a job takes
 * the job of the same pod (uid, else name with no conflicting uid) that a pods file's labels
 * named. Works whatever the order of the inputs. Returns 0 or FL_ENOMEM. */
int fl__pod_nodes_resolve(struct fl_engine *e);

#endif
