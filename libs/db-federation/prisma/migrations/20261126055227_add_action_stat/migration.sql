-- AlterTable
ALTER TABLE "actions" ADD COLUMN     "stat" JSONB;
