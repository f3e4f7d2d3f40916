# vsn.mk - extra build rules of the vsn module: the embedded ontology, the fuzzers
# (make fuzz-vsn, part of `make fuzz`) and the benchmark ($(BUILD)/bench/bench_vsn).

# The ontology is assembled into ontology.o with .incbin (see vsn/ontology.c): rebuild
# the object when the Turtle changes.
$(BUILD)/obj/vsn/ontology.o: vsn/ontology/vsn.ttl
