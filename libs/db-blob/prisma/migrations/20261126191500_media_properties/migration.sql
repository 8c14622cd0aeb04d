-- AlterTable
ALTER TABLE "file_variants" ADD COLUMN     "bitrate" INTEGER,
ADD COLUMN     "duration" DOUBLE PRECISION,
ADD COLUMN     "pages" INTEGER;
