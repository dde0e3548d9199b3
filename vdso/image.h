/* The vDSO image embedded in elfin (vdso/image.S); its data page goes just before it. */
#pragma once

extern const char vdso_image[], vdso_image_end[];
