// siplbd entry point; everything happens in dataplane/daemon.cpp.
#include "../../dataplane/daemon.hpp"

int main(int argc, char** argv) { return siplb::dataplane::run_daemon(argc, argv); }
