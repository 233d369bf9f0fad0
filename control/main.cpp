// siplbd entry point: the process belongs to the control plane (control/daemon.cpp).
#include "daemon.hpp"

int main(int argc, char** argv) { return siplb::control::run_siplbd(argc, argv); }
